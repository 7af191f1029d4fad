package acme

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stride-pki/stride/internal/storage"
)

// FuzzVerifyEAB: any binding is refused with an ACME problem (never a
// panic, never accepted without the MAC: the lookup's key is unknown to
// the fuzzer).
func FuzzVerifyEAB(f *testing.F) {
	acct := newTestJWK(f)
	f.Add([]byte(`{"protected":"eyJhbGciOiJIUzI1NiJ9","payload":"e30","signature":"AA"}`))
	f.Add([]byte(`{"protected":"","payload":"","signature":""}`))
	f.Add([]byte(`null`))
	secret := make([]byte, 32)
	lookup := func(context.Context, string) ([]byte, error) { return secret, nil }
	f.Fuzz(func(t *testing.T, b []byte) {
		kid, err := VerifyEAB(context.Background(), json.RawMessage(b), acct, testURL, lookup)
		if err == nil {
			t.Fatalf("accepted %q (kid %q)", b, kid)
		}
		if problemType(err) == "" {
			t.Fatalf("%q: error %v is not a problem", b, err)
		}
	})
}

// FuzzVerifyKeyChange: any inner JWS is refused with an ACME problem or,
// when it happens to be valid, names a new key.
func FuzzVerifyKeyChange(f *testing.F) {
	old := newTestJWK(f)
	f.Add([]byte(`{"protected":"eyJhbGciOiJFUzI1NiJ9","payload":"e30","signature":"AA"}`))
	f.Add([]byte(`{}`))
	none := func(context.Context, string) (string, error) { return "", storage.ErrNotFound }
	f.Fuzz(func(t *testing.T, b []byte) {
		kc, err := VerifyKeyChange(context.Background(), json.RawMessage(b), keyChangeURL, accountURL, old, none)
		if err == nil && (kc == nil || kc.NewKey == nil) {
			t.Fatalf("%q: no error and no key", b)
		}
		if err != nil && problemType(err) == "" {
			t.Fatalf("%q: error %v is not a problem", b, err)
		}
	})
}
