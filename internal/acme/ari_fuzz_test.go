package acme

import "testing"

// FuzzParseARICertID: any string parses or is a malformed problem, and
// what parses prints as an identifier that parses to the same certificate.
func FuzzParseARICertID(f *testing.F) {
	for _, s := range []string{"aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE", "aYhba4dGQEHhs3uEe6CuLN4ByNQ=.AIdlQyE=", ".", "a.AA", "AQ.gA", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := ParseARICertID(s)
		if err != nil {
			if problemType(err) != probMalformed {
				t.Fatalf("ParseARICertID(%q) = %v, want a malformed problem", s, err)
			}
			return
		}
		again, err := ParseARICertID(id.String())
		if err != nil || again.Serial.Cmp(id.Serial) != 0 || string(again.KeyID) != string(id.KeyID) {
			t.Fatalf("%q -> %s -> %+v, %v", s, id, again, err)
		}
	})
}
