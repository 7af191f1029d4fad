package template

import (
	"encoding/json"
	"strconv"
	"strings"
	gotemplate "text/template"
	"time"

	"github.com/Masterminds/sprig/v3"
)

// FailError is what a template's `fail "message"` returns. Its message is
// written by the operator for the requester, so the API answers 400 with it.
type FailError struct{ Message string }

func (e *FailError) Error() string { return e.Message }

// removedSprig are sprig functions templates may not call. env and expandenv
// read the CA's environment (secrets live there), as step also removes them;
// getHostByName makes a DNS query from inside issuance, which step allows but
// we do not: a template must not turn the CA into a resolver for requesters.
var removedSprig = []string{"env", "expandenv", "getHostByName"}

// baseFuncs is built once; text/template copies the map into each template.
var baseFuncs = func() gotemplate.FuncMap {
	m := sprig.TxtFuncMap()
	for _, name := range removedSprig {
		delete(m, name)
	}
	m["fail"] = fail
	m["toTime"] = toTime
	m["formatTime"] = formatTime
	m["parseTime"] = parseTime
	m["mustParseTime"] = mustParseTime
	m["toTimeLayout"] = toTimeLayout
	return m
}()

// FuncMap returns the functions of every template (X.509 and SSH): sprig
// without environment access, plus fail and the time helpers. It is a copy.
func FuncMap() gotemplate.FuncMap {
	m := make(gotemplate.FuncMap, len(baseFuncs))
	for k, v := range baseFuncs {
		m[k] = v
	}
	return m
}

// X509FuncMap is FuncMap plus the ASN.1 helpers only X.509 templates need.
func X509FuncMap() gotemplate.FuncMap {
	m := FuncMap()
	m["asn1Enc"] = asn1Enc
	m["asn1Marshal"] = asn1Marshal
	m["asn1Seq"] = asn1Seq
	m["asn1Set"] = asn1Set
	return m
}

func fail(msg string) (string, error) { return "", &FailError{Message: msg} }

// toTime converts what templates meet as times: time values, Unix seconds
// (JWT claims decode as float64 or json.Number) and RFC 3339 strings. Like
// sprig's date functions, anything else means "now". The result is UTC.
func toTime(v any) time.Time {
	var t time.Time
	switch x := v.(type) {
	case time.Time:
		t = x
	case *time.Time:
		if x == nil {
			return time.Now().UTC()
		}
		t = *x
	case int:
		t = time.Unix(int64(x), 0)
	case int32:
		t = time.Unix(int64(x), 0)
	case int64:
		t = time.Unix(x, 0)
	case uint:
		t = time.Unix(int64(x), 0)
	case uint32:
		t = time.Unix(int64(x), 0)
	case uint64:
		t = time.Unix(int64(x), 0)
	case float64:
		t = time.Unix(int64(x), 0)
	case json.Number:
		return toTime(string(x))
	case string:
		return stringToTime(x)
	default:
		t = time.Now()
	}
	return t.UTC()
}

func stringToTime(s string) time.Time {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0).UTC()
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC()
	}
	return time.Now().UTC()
}

// formatTime writes a time (anything toTime accepts) in RFC 3339, the form
// notBefore and notAfter take.
func formatTime(v any) string { return toTime(v).Format(time.RFC3339) }

// parseTime parses a time, returning the zero time on error. Arguments:
// none (now), value (RFC 3339), layout and value, or layout, value and a
// location name. The layout may be a name toTimeLayout knows.
func parseTime(args ...string) time.Time {
	t, _ := mustParseTime(args...)
	return t
}

// mustParseTime is parseTime that fails the template on error.
func mustParseTime(args ...string) (time.Time, error) {
	switch len(args) {
	case 0:
		return time.Now().UTC(), nil
	case 1:
		return time.Parse(time.RFC3339, args[0])
	case 2:
		return time.Parse(toTimeLayout(args[0]), args[1])
	default:
		loc, err := time.LoadLocation(args[2])
		if err != nil {
			return time.Time{}, err
		}
		return time.ParseInLocation(toTimeLayout(args[0]), args[1], loc)
	}
}

// timeLayouts are Go's named layouts, matched case-insensitively.
var timeLayouts = map[string]string{
	"ansic": time.ANSIC, "unixdate": time.UnixDate, "rubydate": time.RubyDate,
	"rfc822": time.RFC822, "rfc822z": time.RFC822Z, "rfc850": time.RFC850,
	"rfc1123": time.RFC1123, "rfc1123z": time.RFC1123Z, "rfc3339": time.RFC3339,
	"rfc3339nano": time.RFC3339Nano, "kitchen": time.Kitchen, "stamp": time.Stamp,
	"stampmilli": time.StampMilli, "stampmicro": time.StampMicro, "stampnano": time.StampNano,
	"datetime": time.DateTime, "dateonly": time.DateOnly, "timeonly": time.TimeOnly,
}

// toTimeLayout turns a layout name ("RFC3339", "DateOnly") into Go's layout;
// any other string is taken to be a layout already.
func toTimeLayout(name string) string {
	if l, ok := timeLayouts[strings.ToLower(name)]; ok {
		return l
	}
	return name
}
