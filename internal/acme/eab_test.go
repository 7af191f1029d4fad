package acme

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stride-pki/stride/internal/jose"
	"github.com/stride-pki/stride/internal/storage"
)

const testURL = "https://ca.example/acme/acme/new-account"

func newTestJWK(t testing.TB) *jose.JSONWebKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &jose.JSONWebKey{Key: k}
}

func pubJSON(t *testing.T, k *jose.JSONWebKey) []byte {
	t.Helper()
	b, err := json.Marshal(jose.Public(k))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func enc(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// macJWS builds a flattened JWS MACed with key, as a client's binding.
func macJWS(t *testing.T, header map[string]any, payload, key []byte) json.RawMessage {
	t.Helper()
	hb, err := json.Marshal(header)
	if err != nil {
		t.Fatal(err)
	}
	alg, _ := header["alg"].(string)
	newHash := macAlgs[alg]
	if newHash == nil {
		newHash = macAlgs["HS256"]
	}
	prot, pl := enc(hb), enc(payload)
	mac := hmac.New(newHash, key)
	mac.Write([]byte(prot + "." + pl))
	out, _ := json.Marshal(map[string]string{"protected": prot, "payload": pl, "signature": enc(mac.Sum(nil))})
	return out
}

// problemType is err's problem type without the URN prefix ("" for nil).
func problemType(err error) string {
	var p *Problem
	if errors.As(err, &p) {
		return strings.TrimPrefix(string(p.Type), problemNS)
	}
	return ""
}

// Short problem type names for the tables.
const (
	probMalformed             = "malformed"
	probUnauthorized          = "unauthorized"
	probBadSignatureAlgorithm = "badSignatureAlgorithm"
	probBadPublicKey          = "badPublicKey"
	probRejectedIdentifier    = "rejectedIdentifier"
	probAlreadyReplaced       = "alreadyReplaced"
	probInvalidProfile        = "invalidProfile"
	probServerInternal        = "serverInternal"
)

func TestNewEABKey(t *testing.T) {
	a, err := NewEABKey()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewEABKey()
	if len(a.Key) != EABKeySize || len(a.ID) != 32 || a.ID == b.ID || bytes.Equal(a.Key, b.Key) {
		t.Fatalf("keys %+v %+v: want 32-byte keys, 32-character distinct IDs", a, b)
	}
	if strings.Trim(a.ID, alphanumerics) != "" {
		t.Errorf("ID %q is not alphanumeric", a.ID)
	}
	if strings.ContainsAny(a.EncodedKey(), "+/=") {
		t.Errorf("%q is not unpadded base64url", a.EncodedKey())
	}
	// A key that would encode with a leading "-" is drawn again.
	src := append(bytes.Repeat([]byte{'a'}, 32), 0xf8)
	src = append(src, make([]byte, 31)...)
	src = append(src, bytes.Repeat([]byte{1}, 32)...)
	k, err := newEABKey(bytes.NewReader(src))
	if err != nil || k.Key[0] != 1 || strings.HasPrefix(k.EncodedKey(), "-") {
		t.Errorf("newEABKey = %+v, %v; want the second draw", k, err)
	}
	if got, _ := base64.RawURLEncoding.DecodeString(a.EncodedKey()); !bytes.Equal(got, a.Key) {
		t.Error("EncodedKey does not decode to the key")
	}
	if _, err := newEABKey(bytes.NewReader(make([]byte, 10))); err == nil {
		t.Error("a short random source must fail")
	}
}

func TestVerifyEAB(t *testing.T) {
	acct, other := newTestJWK(t), newTestJWK(t)
	hmacKey := bytes.Repeat([]byte{7}, 32)
	lookup := func(_ context.Context, kid string) ([]byte, error) {
		switch kid {
		case "kid-1":
			return hmacKey, nil
		case "bound":
			return nil, fmt.Errorf("key bound: %w", storage.ErrEABKeyBound)
		case "broken":
			return nil, errors.New("disk on fire")
		}
		return nil, storage.ErrNotFound
	}
	hdr := func(mod func(map[string]any)) map[string]any {
		h := map[string]any{"alg": "HS256", "kid": "kid-1", "url": testURL}
		if mod != nil {
			mod(h)
		}
		return h
	}
	good := pubJSON(t, acct)
	withKid := func(kid string) map[string]any { return hdr(func(h map[string]any) { h["kid"] = kid }) }
	cases := []struct {
		name string
		eab  json.RawMessage
		want string // problem type, "" = accepted
	}{
		{"HS256", macJWS(t, hdr(nil), good, hmacKey), ""},
		{"HS384", macJWS(t, hdr(func(h map[string]any) { h["alg"] = "HS384" }), good, hmacKey), ""},
		{"HS512", macJWS(t, hdr(func(h map[string]any) { h["alg"] = "HS512" }), good, hmacKey), ""},
		{"PayloadWithKidAndAlg", macJWS(t, hdr(nil), []byte(strings.Replace(string(good), "{", `{"kid":"x","alg":"ES256",`, 1)), hmacKey), ""},
		{"RS256", macJWS(t, hdr(func(h map[string]any) { h["alg"] = "RS256" }), good, hmacKey), probBadSignatureAlgorithm},
		{"None", macJWS(t, hdr(func(h map[string]any) { h["alg"] = "none" }), good, hmacKey), probBadSignatureAlgorithm},
		{"NoKid", macJWS(t, hdr(func(h map[string]any) { delete(h, "kid") }), good, hmacKey), probMalformed},
		{"OtherURL", macJWS(t, hdr(func(h map[string]any) { h["url"] = testURL + "x" }), good, hmacKey), probMalformed},
		{"NoURL", macJWS(t, hdr(func(h map[string]any) { delete(h, "url") }), good, hmacKey), probMalformed},
		{"Nonce", macJWS(t, hdr(func(h map[string]any) { h["nonce"] = "abc" }), good, hmacKey), probMalformed},
		{"JWKHeader", macJWS(t, hdr(func(h map[string]any) { h["jwk"] = json.RawMessage(good) }), good, hmacKey), probMalformed},
		{"Crit", macJWS(t, hdr(func(h map[string]any) { h["crit"] = []string{"b64"} }), good, hmacKey), probMalformed},
		{"UnknownKey", macJWS(t, withKid("nope"), good, hmacKey), probUnauthorized},
		{"BoundKey", macJWS(t, withKid("bound"), good, hmacKey), probUnauthorized},
		{"LookupFails", macJWS(t, withKid("broken"), good, hmacKey), probServerInternal},
		{"WrongMAC", macJWS(t, hdr(nil), good, bytes.Repeat([]byte{8}, 32)), probUnauthorized},
		{"OtherAccountKey", macJWS(t, hdr(nil), pubJSON(t, other), hmacKey), probMalformed},
		{"PrivateKeyPayload", macJWS(t, hdr(nil), mustJSON(t, acct), hmacKey), probMalformed},
		{"PayloadNotJWK", macJWS(t, hdr(nil), []byte(`{"hello":1}`), hmacKey), probMalformed},
		{"EmptyPayload", macJWS(t, hdr(nil), nil, hmacKey), probMalformed},
		{"NotJSON", json.RawMessage(`"a.b.c"`), probMalformed},
		{"Null", json.RawMessage(`null`), probMalformed},
		{"GeneralSerialization", json.RawMessage(`{"payload":"e30","signatures":[{"protected":"e30","signature":"AA"}]}`), probMalformed},
		{"UnprotectedHeader", addMember(t, macJWS(t, hdr(nil), good, hmacKey), "header", `{"kid":"kid-1"}`), probMalformed},
		{"PaddedSignature", padSignature(t, macJWS(t, hdr(nil), good, hmacKey)), probMalformed},
		{"CaseVariantURL", macJWS(t, hdr(func(h map[string]any) { h["URL"] = testURL + "x" }), good, hmacKey), probMalformed},
		{"CaseVariantNonce", macJWS(t, hdr(func(h map[string]any) { h["Nonce"] = "n" }), good, hmacKey), probMalformed},
		{"HeaderNotObject", json.RawMessage(`{"protected":"` + enc([]byte(`[1]`)) + `","payload":"e30","signature":"AA"}`), probMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			kid, err := VerifyEAB(context.Background(), c.eab, acct, testURL, lookup)
			if got := problemType(err); got != c.want {
				t.Fatalf("VerifyEAB = %q, %v; want problem %q", kid, err, c.want)
			}
			if c.want == "" && kid != "kid-1" {
				t.Fatalf("kid = %q, want kid-1", kid)
			}
		})
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func addMember(t *testing.T, raw json.RawMessage, name, value string) json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	m[name] = json.RawMessage(value)
	return mustJSON(t, m)
}

func padSignature(t *testing.T, raw json.RawMessage) json.RawMessage {
	t.Helper()
	var m map[string]string
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	m["signature"] = base64.URLEncoding.EncodeToString(mustB64(t, m["signature"]))
	return mustJSON(t, m)
}

func mustB64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := b64url(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
