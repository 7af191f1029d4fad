package jose

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stride-pki/stride/internal/keys"
)

func TestNewJWKKidIsThumbprint(t *testing.T) {
	for _, kty := range []string{"EC", "OKP", "RSA"} {
		k, err := keys.Generate(kty, "", 0)
		if err != nil {
			t.Fatal(err)
		}
		jwk, err := NewJWK(k)
		if err != nil {
			t.Fatal(err)
		}
		tp, _ := Thumbprint(Public(jwk))
		if jwk.KeyID != tp || len(tp) != 43 {
			t.Fatalf("%s: kid %q, thumbprint %q", kty, jwk.KeyID, tp)
		}
		if jwk.Use != "sig" || jwk.Algorithm == "" {
			t.Fatalf("%s: use %q alg %q", kty, jwk.Use, jwk.Algorithm)
		}
	}
}

func TestEncryptedKeyShape(t *testing.T) {
	k, _ := keys.Generate("EC", "P-256", 0)
	jwk, _ := NewJWK(k)
	enc, err := EncryptJWK(jwk, []byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(enc, ".")
	if len(parts) != 5 {
		t.Fatalf("not compact: %d parts", len(parts))
	}
	hb, _ := base64.RawURLEncoding.DecodeString(parts[0])
	var h map[string]any
	if err := json.Unmarshal(hb, &h); err != nil {
		t.Fatal(err)
	}
	if h["alg"] != "PBES2-HS256+A128KW" || h["enc"] != "A256GCM" || h["cty"] != "jwk+json" || h["p2c"] != float64(600000) {
		t.Fatalf("header %v", h)
	}
	got, err := DecryptJWK(enc, []byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	if got.KeyID != jwk.KeyID || got.IsPublic() {
		t.Fatalf("round trip lost the key: %+v", got)
	}
	if _, err := DecryptJWK(enc, []byte("bad")); err == nil || !strings.Contains(err.Error(), "password") {
		t.Fatalf("wrong password: %v", err)
	}
}

func TestDecryptStepKey(t *testing.T) {
	b, err := os.ReadFile("testdata/step.jwe")
	if err != nil {
		t.Fatal(err)
	}
	jwk, err := DecryptJWK(string(b), []byte("password"))
	if err != nil {
		t.Fatal(err)
	}
	pubJSON, _ := os.ReadFile("testdata/step.pub.json")
	pub, err := ParseJWK(pubJSON)
	if err != nil {
		t.Fatal(err)
	}
	tp, _ := Thumbprint(Public(jwk))
	if tp != pub.KeyID {
		t.Fatalf("thumbprint %s, step's kid %s", tp, pub.KeyID)
	}
}

func TestJWTSignVerify(t *testing.T) {
	k, _ := keys.Generate("EC", "", 0)
	jwk, _ := NewJWK(k)
	now := time.Now()
	claims := map[string]any{"iss": "admin", "sub": "a.example.com", "aud": "https://ca/1.0/sign",
		"nbf": now.Unix(), "iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(), "sans": []string{"a.example.com"}}
	tok, err := SignJWT(jwk, claims, nil)
	if err != nil {
		t.Fatal(err)
	}
	h, c, err := VerifyJWT(tok, Public(jwk), Expected{Issuer: "admin", Audience: []string{"https://ca/1.0/sign"}, Time: now})
	if err != nil {
		t.Fatal(err)
	}
	if h["kid"] != jwk.KeyID || c["sub"] != "a.example.com" {
		t.Fatalf("header %v claims %v", h, c)
	}
	cases := map[string]Expected{
		"issuer":   {Issuer: "other", Time: now},
		"audience": {Audience: []string{"https://ca/1.0/revoke"}, Time: now},
		"expired":  {Time: now.Add(time.Hour)},
	}
	for name, exp := range cases {
		if _, _, err := VerifyJWT(tok, Public(jwk), exp); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	other, _ := keys.Generate("EC", "", 0)
	otherJWK, _ := NewJWK(other)
	if _, _, err := VerifyJWT(tok, Public(otherJWK), Expected{Time: now}); err == nil {
		t.Error("verified with the wrong key")
	}
	parts := strings.Split(tok, ".")
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"evil"}`)) + "." + parts[2]
	if _, _, err := VerifyJWT(tampered, Public(jwk), Expected{Time: now}); err == nil {
		t.Error("tampered payload verified")
	}
}

func TestInspectJWTBadInput(t *testing.T) {
	for _, in := range []string{"", "a.b", "a.b.c", "!!.e30.x", "e30.!!.x"} {
		if _, _, _, err := InspectJWT(in); err == nil {
			t.Errorf("%q: accepted", in)
		}
	}
	if _, p, _, err := InspectJWT("e30.eyJhIjoxfQ.sig"); err != nil || string(p) != `{"a":1}` {
		t.Fatalf("%s %v", p, err)
	}
}

func TestEncryptJWKJSONRoundTrip(t *testing.T) {
	k, _ := keys.Generate("EC", "P-256", 0)
	jwk, _ := NewJWK(k)
	b, err := EncryptJWKJSON(jwk, []byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil || m["protected"] == nil || m["ciphertext"] == nil {
		t.Fatalf("not a flattened JSON JWE: %s", b)
	}
	if !strings.Contains(string(b), "\n  \"protected\"") {
		t.Fatalf("not indented as step writes it: %s", b)
	}
	got, err := DecryptJWK(string(b), []byte("pw"))
	if err != nil || got.KeyID != jwk.KeyID {
		t.Fatalf("round trip: %v", err)
	}
}

func TestEncryptJSON(t *testing.T) {
	ec, _ := keys.Generate("EC", "P-256", 0)
	rsaKey, _ := keys.Generate("RSA", "", 2048)
	ed, _ := keys.Generate("OKP", "", 0)
	ecJWK, _ := NewJWK(ec)
	tests := []struct {
		name    string
		key     any
		opts    EncryptOptions
		decrypt func(string) ([]byte, error)
		wantErr bool
	}{
		{"password", []byte("pw"), EncryptOptions{}, func(s string) ([]byte, error) { return DecryptWithPassword(s, []byte("pw")) }, false},
		{"EC JWK (sig) defaults to ECDH-ES", Public(ecJWK), EncryptOptions{}, func(s string) ([]byte, error) { return DecryptWithKey(s, ecJWK) }, false},
		{"RSA public key", rsaKey.Public(), EncryptOptions{Enc: "A128CBC-HS256"}, func(s string) ([]byte, error) {
			return DecryptWithKey(s, &JSONWebKey{Key: rsaKey})
		}, false},
		{"Ed25519 cannot encrypt", ed.Public(), EncryptOptions{}, nil, true},
		{"bad enc", []byte("pw"), EncryptOptions{Enc: "nope"}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := EncryptJSON([]byte("hello"), tt.key, tt.opts)
			if tt.wantErr {
				if err == nil {
					t.Fatal("want an error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			plain, err := tt.decrypt(string(out))
			if err != nil || string(plain) != "hello" {
				t.Fatalf("decrypt: %q %v", plain, err)
			}
		})
	}
}
