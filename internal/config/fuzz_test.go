package config

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse checks that Parse never panics, that Validate never panics on
// what it accepts, and that writing is stable: parse(write(c)) writes the
// same bytes as c.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		`{}`, `{"root":["a","b"]}`, `{"authority":{"provisioners":[{"type":"jwk"}]}}`,
		`{"authority":{"claims":{"minTLSCertDuration":""}}}`, `{"tls":{"minVersion":1.0}}`,
		`{"enableAdmin":false,"Address":"x","address":"y"}`, `{"db":null,"x":[{"y":{}}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data, "ca.json")
		if err != nil {
			return
		}
		_ = c.Validate()
		for _, p := range c.Authority.provisionersOrNil() {
			_, _ = p.Common()
		}
		once, err := Marshal(c)
		if err != nil {
			t.Fatalf("Marshal: %v", err)
		}
		c2, err := Parse(once, "ca.json")
		if err != nil {
			t.Fatalf("re-Parse of our own output: %v\n%s", err, once)
		}
		twice, err := Marshal(c2)
		if err != nil {
			t.Fatalf("second Marshal: %v", err)
		}
		if !bytes.Equal(once, twice) {
			t.Fatalf("unstable output:\n%s\n---\n%s", once, twice)
		}
	})
}
