package acme

import (
	"strings"
	"testing"
)

// FuzzNormalizeIdentifiers: the identifier policy never panics, and what
// it accepts is already normal: lower case, at most 253 bytes, and
// accepted unchanged a second time.
func FuzzNormalizeIdentifiers(f *testing.F) {
	for _, s := range []string{"example.com", "*.Example.com", "xn--caf-dma.example", "ab--x.y", "a..b", "10.0.0.1", "::1", "*.*.x"} {
		f.Add("dns", s)
	}
	f.Add("ip", "fe80::1%eth0")
	f.Fuzz(func(t *testing.T, typ, value string) {
		out, prob := normalizeIdentifiers([]Identifier{{Type: IdentifierType(typ), Value: value}})
		if prob != nil {
			return
		}
		v := out[0].Value
		if out[0].Type == IdentifierDNS && (v != strings.ToLower(v) || len(v) > 253) {
			t.Fatalf("accepted %q as %q", value, v)
		}
		again, prob := normalizeIdentifiers(out)
		if prob != nil || again[0] != out[0] {
			t.Fatalf("%q → %q, then %v %v", value, v, again, prob)
		}
	})
}
