package wfe

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"testing"

	gojose "github.com/go-jose/go-jose/v4"

	"github.com/stride-pki/stride/internal/acme"
)

// TestAccountKeyPolicyOverHTTP: new-account with a key outside the policy
// is badPublicKey 400 (security.md §5 R-27). The identity-point Ed25519
// case carries a signature anyone can forge (R = identity, S = 0), which
// Go's ed25519.Verify accepts: the key check is what stops it.
func TestAccountKeyPolicyOverHTTP(t *testing.T) {
	ts := newTestServer(t)
	c := newRawClient(t, ts)
	u := c.url("new-account")
	payload := []byte(`{"termsOfServiceAgreed":true}`)

	identity := make(ed25519.PublicKey, 32)
	identity[0] = 1
	forged := make([]byte, 64)
	forged[0] = 1
	edForged := func() map[string]any {
		hb, _ := json.Marshal(map[string]any{"alg": "EdDSA", "nonce": c.nonce(), "url": u, "jwk": map[string]string{
			"kty": "OKP", "crv": "Ed25519", "x": base64.RawURLEncoding.EncodeToString(identity)}})
		protected := base64.RawURLEncoding.EncodeToString(hb)
		pl := base64.RawURLEncoding.EncodeToString(payload)
		if !ed25519.Verify(identity, []byte(protected+"."+pl), forged) {
			t.Fatal("the forged signature does not verify: the test proves nothing")
		}
		return map[string]any{"protected": protected, "payload": pl, "signature": base64.RawURLEncoding.EncodeToString(forged)}
	}
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	rsaE3 := func() map[string]any {
		// The signature cannot be valid under e=3; the key check runs first.
		pub := &rsa.PublicKey{N: rsaKey.N, E: 3}
		h := map[string]any{"alg": "RS256", "nonce": c.nonce(), "url": u, "jwk": gojose.JSONWebKey{Key: pub}}
		return rsaSigned(t, rsaKey, h, payload)
	}
	// rawJWK signs nothing valid: the key must be refused before that matters.
	rawJWK := func(jwk map[string]string, alg string) func() map[string]any {
		return func() map[string]any {
			hb, _ := json.Marshal(map[string]any{"alg": alg, "nonce": c.nonce(), "url": u, "jwk": jwk})
			b64 := base64.RawURLEncoding.EncodeToString
			return map[string]any{"protected": b64(hb), "payload": b64(payload), "signature": b64(make([]byte, 64))}
		}
	}
	ones := base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32))
	nonCanonical := make([]byte, 32) // y = p+1 ≡ 1: the identity, not canonically encoded
	for i := range nonCanonical {
		nonCanonical[i] = 0xff
	}
	nonCanonical[0], nonCanonical[31] = 0xee, 0x7f
	for _, tc := range []struct {
		name string
		body func() map[string]any
	}{
		{"Ed25519 identity point, forged signature", edForged},
		{"Ed25519 identity, non-canonical y=p+1", rawJWK(map[string]string{"kty": "OKP", "crv": "Ed25519",
			"x": base64.RawURLEncoding.EncodeToString(nonCanonical)}, "EdDSA")},
		{"P-256 point off the curve", rawJWK(map[string]string{"kty": "EC", "crv": "P-256", "x": ones, "y": ones}, "ES256")},
		{"RSA e=3", rsaE3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := c.send(u, tc.body(), "application/jose+json")
			if p := problemOf(t, resp); resp.StatusCode != http.StatusBadRequest || p.Type != acme.ProbBadPublicKey {
				t.Fatalf("%d %s (%s), want 400 badPublicKey", resp.StatusCode, p.Type, p.Detail)
			}
		})
	}
}
