package provisioner

import (
	"math"
	"strings"
	"time"
)

// claimsFromMap is parseClaimsRaw's reading of the claims the payload
// decoded into all (what tokenClaims.All holds anyway): one JSON pass instead
// of one per claim. It reads JSON null as encoding/json does into a typed
// value (a string "", a date of 0, an absent sans), and answers ok=false,
// leaving the error to parseClaimsRaw, for any claim of the wrong type.
func claimsFromMap(all map[string]any) (tokenClaims, bool) {
	c := tokenClaims{All: all}
	for name, v := range all {
		var ok bool
		switch name {
		case "iss":
			c.Issuer, ok = stringOrNull(v)
		case "sub":
			c.Subject, ok = stringOrNull(v)
		case "jti":
			c.ID, ok = stringOrNull(v)
		case "aud":
			c.Audience, ok = audienceOf(v)
		case "exp":
			c.Expiry, ok = numericDate(v)
		case "nbf":
			c.NotBefore, ok = numericDate(v)
		case "iat":
			c.IssuedAt, ok = numericDate(v)
		case "sans":
			c.SANs, ok = stringsOrNull(v)
		case "cnf":
			c.CNF, ok = cnfOf(v)
		default:
			ok = true
			c.oddCase = c.oddCase || strings.EqualFold(name, "iss") || strings.EqualFold(name, "aud")
		}
		if !ok {
			return tokenClaims{}, false
		}
	}
	return c, true
}

func stringOrNull(v any) (string, bool) {
	if v == nil {
		return "", true
	}
	s, ok := v.(string)
	return s, ok
}

// stringsOrNull is a []string as encoding/json fills one: null is nil, and
// a null element is "".
func stringsOrNull(v any) ([]string, bool) {
	if v == nil {
		return nil, true
	}
	a, ok := v.([]any)
	if !ok {
		return nil, false
	}
	out := make([]string, len(a))
	for i, e := range a {
		if out[i], ok = stringOrNull(e); !ok {
			return nil, false
		}
	}
	return out, true
}

// audienceOf is parseAudience's reading: a string (null counting as "") is
// one audience, otherwise an array of strings.
func audienceOf(v any) ([]string, bool) {
	if s, ok := stringOrNull(v); ok {
		return []string{s}, true
	}
	return stringsOrNull(v)
}

// numericDate is parseNumericDate's reading; null is 0, the epoch.
func numericDate(v any) (time.Time, bool) {
	var f float64
	if v != nil {
		var ok bool
		if f, ok = v.(float64); !ok {
			return time.Time{}, false
		}
	}
	if math.IsNaN(f) || f < 0 || f > 253402300799 {
		return time.Time{}, false
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true
}

// cnfOf reads cnf's "x5rt#S256"; a null cnf, or one without the member,
// binds nothing.
func cnfOf(v any) (string, bool) {
	if v == nil {
		return "", true
	}
	m, ok := v.(map[string]any)
	if !ok {
		return "", false
	}
	x, present := m["x5rt#S256"]
	if !present {
		return "", true
	}
	return stringOrNull(x)
}

// headerFromMap is parseHeaderRaw's reading of a header decoded into m,
// classification included (classifyHeader); ok=false for a banned member
// or one of the wrong type, whose refusal parseHeaderRaw words.
func headerFromMap(m map[string]any) (tokenHeader, bool) {
	h := tokenHeader{plain: true}
	for name, v := range m {
		var ok bool
		switch name {
		case "crit", "b64":
			return tokenHeader{}, false
		case "alg":
			h.Alg, ok = stringOrNull(v)
		case "kid":
			h.Kid, ok = stringOrNull(v)
		case "x5c":
			h.X5C, ok = stringsOrNull(v)
			h.hasX5C = v != nil
		case "x5cInsecure":
			h.X5CInsecure, ok = stringsOrNull(v)
		case "typ":
			_, isString := v.(string)
			h.plain = h.plain && (isString || v == nil)
			ok = true
		default:
			ok = true
			h.plain = false
			h.oddCase = h.oddCase || strings.EqualFold(name, "kid")
		}
		if !ok {
			return tokenHeader{}, false
		}
	}
	return h, true
}
