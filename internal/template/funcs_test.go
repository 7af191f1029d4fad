package template

import (
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"strings"
	"testing"
	"time"
)

func TestTimeFuncs(t *testing.T) {
	ts := time.Date(2030, 5, 6, 7, 8, 9, 0, time.UTC)
	data := Data{"t": ts, "pt": &ts, "f": float64(ts.Unix()), "n": json.Number("1893456000"), "i": int64(ts.Unix()), "s": "2030-05-06T07:08:09Z"}
	tests := []struct{ text, want string }{
		{`{{ formatTime .t }}`, "2030-05-06T07:08:09Z"},
		{`{{ formatTime .pt }}`, "2030-05-06T07:08:09Z"},
		{`{{ formatTime .f }}`, "2030-05-06T07:08:09Z"},
		{`{{ formatTime .i }}`, "2030-05-06T07:08:09Z"},
		{`{{ formatTime .s }}`, "2030-05-06T07:08:09Z"},
		{`{{ formatTime .n }}`, "2030-01-01T00:00:00Z"},
		{`{{ (toTime .f).Year }}`, "2030"},
		{`{{ formatTime ((toTime .t).Add 3600000000000) }}`, "2030-05-06T08:08:09Z"},
		{`{{ formatTime (parseTime "2031-02-03T04:05:06+02:00") }}`, "2031-02-03T02:05:06Z"},
		{`{{ formatTime (parseTime "DateOnly" "2031-02-03") }}`, "2031-02-03T00:00:00Z"},
		{`{{ formatTime (parseTime "2006-01-02 15:04" "2031-02-03 10:00" "Europe/Paris") }}`, "2031-02-03T09:00:00Z"},
		{`{{ (parseTime "garbage").IsZero }}`, "true"},
		{`{{ toTimeLayout "RFC3339" }}`, time.RFC3339},
		{`{{ toTimeLayout "rfc1123z" }}`, time.RFC1123Z},
		{`{{ toTimeLayout "2006" }}`, "2006"},
		{`{{ formatTime (mustParseTime "RFC3339" "2030-05-06T07:08:09Z") }}`, "2030-05-06T07:08:09Z"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			out, err := Render(tt.text, data)
			if err != nil {
				t.Fatal(err)
			}
			eq(t, string(out), tt.want)
		})
	}
	if _, err := Render(`{{ mustParseTime "nope" }}`, nil); err == nil {
		t.Error("mustParseTime: want error")
	}
	// Unknown input means now, as in sprig's date functions.
	out, _ := Render(`{{ formatTime .missing }}`, Data{})
	got, err := time.Parse(time.RFC3339, string(out))
	if err != nil || time.Since(got) > time.Minute {
		t.Errorf("formatTime of nothing = %q, want now", out)
	}
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func TestASN1Funcs(t *testing.T) {
	mustP := func(v any, params string) string {
		b, err := asn1.MarshalWithParams(v, params)
		if err != nil {
			t.Fatal(err)
		}
		return b64(b)
	}
	ts := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	big1, _ := new(big.Int).SetString("123456789012345678901234567890", 10)
	tests := []struct{ text, want string }{
		{`{{ asn1Enc "int:5" }}`, mustP(5, "")},
		{`{{ asn1Enc "int:123456789012345678901234567890" }}`, mustP(big1, "")},
		{`{{ asn1Enc "int:-1" }}`, mustP(-1, "")},
		{`{{ asn1Enc "oid:1.2.3.4" }}`, mustP(asn1.ObjectIdentifier{1, 2, 3, 4}, "")},
		{`{{ asn1Enc "utf8:héllo" }}`, mustP("héllo", "utf8")},
		{`{{ asn1Enc "printable:Hello" }}`, mustP("Hello", "printable")},
		{`{{ asn1Enc "ia5:a@b" }}`, mustP("a@b", "ia5")},
		{`{{ asn1Enc "numeric:123 4" }}`, mustP("123 4", "numeric")},
		{`{{ asn1Enc "bool:true" }}`, mustP(true, "")},
		{`{{ asn1Enc "generalized:2030-01-02T03:04:05Z" }}`, mustP(ts, "generalized")},
		{`{{ asn1Enc "utc:2030-01-02T03:04:05Z" }}`, mustP(ts, "utc")},
		{`{{ asn1Enc "raw:AgEF" }}`, "AgEF"},
		{`{{ asn1Enc "plain text" }}`, mustP("plain text", "utf8")},
		{`{{ asn1Enc "foo:bar" }}`, mustP("foo:bar", "utf8")},
		{`{{ asn1Marshal 5 }}`, mustP(5, "")},
		{`{{ asn1Marshal .f }}`, mustP(12, "")},
		{`{{ asn1Marshal "x" "utf8" }}`, mustP("x", "utf8")},
		{`{{ asn1Seq (asn1Enc "int:1") (asn1Enc "utf8:a") }}`, mustP(struct {
			N int
			S string `asn1:"utf8"`
		}{1, "a"}, "")},
		{`{{ asn1Set (asn1Enc "int:2") (asn1Enc "int:1") }}`, mustP([]int{1, 2}, "set")},
		{`{{ asn1Seq }}`, "MAA="},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			out, err := Render(tt.text, Data{"f": float64(12)})
			if err != nil {
				t.Fatal(err)
			}
			eq(t, string(out), tt.want)
		})
	}
	for _, bad := range []string{`asn1Enc "int:x"`, `asn1Enc "oid:1"`, `asn1Enc "printable:a@b"`, `asn1Enc "numeric:a"`,
		`asn1Enc "bool:maybe"`, `asn1Enc "utc:2030"`, `asn1Enc "raw:AgE="`, `asn1Enc "raw:***"`,
		`asn1Seq "AgEFAA=="`, `asn1Set "zz"`, `asn1Marshal 1.5`} {
		if _, err := Render(`{{ `+bad+` }}`, nil); err == nil {
			t.Errorf("%s: want error", bad)
		}
	}
}

// TestASN1FuncsInExtension uses the helpers the way templates do.
func TestASN1FuncsInExtension(t *testing.T) {
	text := `{"subject": {{ toJson .Subject }},
	"extensions": [{"id": "1.3.6.1.4.1.99999.7", "value": {{ asn1Seq (asn1Enc "int:3") (asn1Enc (printf "utf8:%s" .Subject.CommonName)) | toJson }}}]}`
	c, err := NewCertificateFromKey(newKey(t).Public(), text, NewData(`quote"cn`, nil))
	if err != nil {
		t.Fatal(err)
	}
	cert := sign(t, c, newKey(t).Public())
	var v struct {
		N  int
		CN string `asn1:"utf8"`
	}
	if _, err := asn1.Unmarshal(findExt(t, cert, asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 7}).Value, &v); err != nil {
		t.Fatal(err)
	}
	eq(t, v.N, 3)
	eq(t, v.CN, `quote"cn`)
	if strings.Contains(cert.Subject.CommonName, "\\") {
		t.Error("escaping leaked into the subject")
	}
}
