package api

import (
	"encoding/json"
	"strings"
	"testing"
)

// stepBody is a /sign body as step's client marshals it: a PEM CSR (so \n
// escapes) and a compact JWS.
func stepBody(t testing.TB) []byte {
	csr := "-----BEGIN CERTIFICATE REQUEST-----\n" + strings.Repeat(strings.Repeat("Ab+/", 16)+"\n", 8) +
		"-----END CERTIFICATE REQUEST-----\n"
	b, err := json.Marshal(signBody{CSR: csr, OTT: strings.Repeat("eyJhbGciOiJFUzI1NiJ9", 30) + ".e30.sig"})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSignBodyFastTakesStepBodies(t *testing.T) {
	var got, want signBody
	body := stepBody(t)
	if !got.decodeFast(body) {
		t.Fatalf("decodeFast refused %s", body)
	}
	if err := json.Unmarshal(body, &want); err != nil || got.CSR != want.CSR || got.OTT != want.OTT || want.CSR == "" {
		t.Fatalf("decodeFast %+v, encoding/json %+v (%v)", got, want, err)
	}
}

func BenchmarkDecodeSignBody(b *testing.B) {
	body := stepBody(b)
	b.Run("fast", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var s signBody
			s.decodeFast(body)
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var s signBody
			_ = json.Unmarshal(body, &s)
		}
	})
}
