package wfe

import (
	"testing"
)

// FuzzParseEnvelope: no input makes the JWS envelope parser panic, and
// whatever it accepts has exactly one signature, an allowed alg, a url
// and exactly one of jwk and kid.
func FuzzParseEnvelope(f *testing.F) {
	for _, seed := range []string{
		`{"protected":"eyJhbGciOiJFUzI1NiIsIm5vbmNlIjoibiIsInVybCI6InUiLCJraWQiOiJrIn0","payload":"","signature":"AAAA"}`,
		`{"protected":"eyJhbGciOiJub25lIn0","payload":"e30","signature":""}`,
		`{"payload":"e30","signatures":[{"protected":"e30","signature":""}]}`,
		`{"protected":"e30","header":{"kid":"x"},"payload":"","signature":""}`,
		`{"protected":"e30","protected":"e30"}`,
		`a.b.c`,
		`{}`,
		``,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		env, prob := parseEnvelope(body)
		if prob != nil {
			if env != nil {
				t.Fatal("an envelope and a problem")
			}
			return
		}
		if len(env.sig.Signatures) != 1 || !algAllowed(env.alg) || env.url == "" || (env.kid == "") == (env.jwk == nil) {
			t.Fatalf("accepted a bad envelope: %+v", env)
		}
	})
}
