package acme

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	gojose "github.com/go-jose/go-jose/v4"
	xacme "golang.org/x/crypto/acme"

	"github.com/stride-pki/stride/internal/jose"
	"github.com/stride-pki/stride/internal/storage"
)

const (
	keyChangeURL = "https://ca.example/acme/acme/key-change"
	accountURL   = "https://ca.example/acme/acme/account/A1"
)

// innerJWS signs payload with key the way a client signs the inner
// key-change JWS; extra headers are added to the protected header.
func innerJWS(t *testing.T, key crypto.Signer, alg gojose.SignatureAlgorithm, embed bool, extra map[gojose.HeaderKey]any, payload []byte) json.RawMessage {
	t.Helper()
	opts := &gojose.SignerOptions{EmbedJWK: embed, ExtraHeaders: map[gojose.HeaderKey]any{"url": keyChangeURL}}
	for k, v := range extra {
		if v == nil {
			delete(opts.ExtraHeaders, k)
			continue
		}
		opts.ExtraHeaders[k] = v
	}
	s, err := gojose.NewSigner(gojose.SigningKey{Algorithm: alg, Key: key}, opts)
	if err != nil {
		t.Fatal(err)
	}
	jws, err := s.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	return json.RawMessage(jws.FullSerialize())
}

func TestVerifyKeyChange(t *testing.T) {
	oldKey := newTestJWK(t)
	newPriv, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	takenPriv, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	smallRSA, _ := rsa.GenerateKey(rand.Reader, 1024)
	takenTP, _ := jose.Thumbprint(&jose.JSONWebKey{Key: takenPriv.Public()})
	byKey := func(_ context.Context, tp string) (string, error) {
		if tp == takenTP {
			return "OTHER", nil
		}
		return "", storage.ErrNotFound
	}
	payload := func(account string, old *jose.JSONWebKey) []byte {
		return mustJSON(t, map[string]any{"account": account, "oldKey": jose.Public(old)})
	}
	good := payload(accountURL, oldKey)
	cases := []struct {
		name  string
		inner json.RawMessage
		want  string
		owner string // the account a KeyInUseError names
	}{
		{"Valid", innerJWS(t, newPriv, gojose.ES256, true, nil, good), "", ""},
		{"ValidRSA", innerJWS(t, mustRSA(t, 2048), gojose.RS256, true, nil, good), "", ""},
		{"NoJWK", innerJWS(t, newPriv, gojose.ES256, false, nil, good), probMalformed, ""},
		{"Kid", innerJWS(t, newPriv, gojose.ES256, true, map[gojose.HeaderKey]any{"kid": accountURL}, good), probMalformed, ""},
		{"Nonce", innerJWS(t, newPriv, gojose.ES256, true, map[gojose.HeaderKey]any{"nonce": "n"}, good), probMalformed, ""},
		{"OtherURL", innerJWS(t, newPriv, gojose.ES256, true, map[gojose.HeaderKey]any{"url": keyChangeURL + "/x"}, good), probMalformed, ""},
		{"NoURL", innerJWS(t, newPriv, gojose.ES256, true, map[gojose.HeaderKey]any{"url": nil}, good), probMalformed, ""},
		{"HMAC", macJWS(t, map[string]any{"alg": "HS256", "url": keyChangeURL}, good, make([]byte, 32)), probBadSignatureAlgorithm, ""},
		{"SmallRSA", innerJWS(t, smallRSA, gojose.RS256, true, nil, good), probBadPublicKey, ""},
		{"BadSignature", tamperPayload(t, innerJWS(t, newPriv, gojose.ES256, true, nil, good)), probMalformed, ""},
		{"OtherAccount", innerJWS(t, newPriv, gojose.ES256, true, nil, payload(accountURL+"x", oldKey)), probUnauthorized, ""},
		{"WrongOldKey", innerJWS(t, newPriv, gojose.ES256, true, nil, payload(accountURL, newTestJWK(t))), probUnauthorized, ""},
		{"NoOldKey", innerJWS(t, newPriv, gojose.ES256, true, nil, []byte(`{"account":"`+accountURL+`"}`)), probMalformed, ""},
		{"PayloadNotObject", innerJWS(t, newPriv, gojose.ES256, true, nil, []byte(`[]`)), probMalformed, ""},
		{"SameKey", innerJWS(t, oldKey.Key.(crypto.Signer), gojose.ES256, true, nil, good), probMalformed, ""},
		{"KeyOfAnotherAccount", innerJWS(t, takenPriv, gojose.ES384, true, nil, good), probMalformed, "OTHER"},
		{"CaseVariantJWK", innerJWS(t, newPriv, gojose.ES256, true, map[gojose.HeaderKey]any{"JWK": jose.Public(newTestJWK(t))}, good), probMalformed, ""},
		{"NotJWS", json.RawMessage(`{"account":"x"}`), probMalformed, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			kc, err := VerifyKeyChange(context.Background(), c.inner, keyChangeURL, accountURL, jose.Public(oldKey), byKey)
			if got := problemType(err); got != c.want {
				t.Fatalf("VerifyKeyChange = %v; want problem %q", err, c.want)
			}
			var inUse *KeyInUseError
			if c.owner != "" && (!errors.As(err, &inUse) || inUse.AccountID != c.owner) {
				t.Fatalf("err = %+v; want a KeyInUseError naming %s", err, c.owner)
			}
			if c.want == "" && (kc == nil || kc.NewKey == nil || !kc.NewKey.IsPublic() || kc.Thumbprint == "") {
				t.Fatalf("KeyChange = %+v", kc)
			}
		})
	}
}

func mustRSA(t *testing.T, bits int) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// tamperPayload swaps the payload for another one, leaving the signature.
func tamperPayload(t *testing.T, raw json.RawMessage) json.RawMessage {
	t.Helper()
	var m map[string]string
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	b := mustB64(t, m["payload"])
	b[len(b)-2] ^= 1
	m["payload"] = enc(b)
	return mustJSON(t, m)
}

// TestKeyChangeXCryptoClient checks the wire shape against a real client:
// x/crypto's AccountKeyRollover posts to a stub CA that unwraps the outer
// JWS (its verification is the core's job) and runs VerifyKeyChange.
func TestKeyChangeXCryptoClient(t *testing.T) {
	oldPriv, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	newPriv, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	var srv *httptest.Server
	var verified *KeyChange
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Replay-Nonce", "nonce")
		switch r.URL.Path {
		case "/dir":
			json.NewEncoder(w).Encode(map[string]string{"newNonce": srv.URL + "/nonce", "newAccount": srv.URL + "/new-account",
				"newOrder": srv.URL + "/new-order", "keyChange": srv.URL + "/key-change"})
		case "/nonce":
		case "/key-change":
			body, _ := io.ReadAll(r.Body)
			var outer struct{ Payload string }
			json.Unmarshal(body, &outer)
			inner, err := b64url(outer.Payload)
			if err != nil {
				http.Error(w, err.Error(), 400)
				return
			}
			notFound := func(context.Context, string) (string, error) { return "", storage.ErrNotFound }
			verified, err = VerifyKeyChange(r.Context(), inner, srv.URL+"/key-change", srv.URL+"/account/1",
				&jose.JSONWebKey{Key: oldPriv.Public()}, notFound)
			if err != nil {
				w.Header().Set("Content-Type", "application/problem+json")
				w.WriteHeader(400)
				json.NewEncoder(w).Encode(map[string]string{"type": "urn:ietf:params:acme:error:malformed", "detail": err.Error()})
			}
		}
	}))
	defer srv.Close()
	c := &xacme.Client{Key: oldPriv, DirectoryURL: srv.URL + "/dir", KID: xacme.KeyID(srv.URL + "/account/1")}
	if err := c.AccountKeyRollover(context.Background(), newPriv); err != nil {
		t.Fatal(err)
	}
	want, _ := jose.Thumbprint(&jose.JSONWebKey{Key: newPriv.Public()})
	if verified == nil || verified.Thumbprint != want {
		t.Fatalf("verified %+v, want thumbprint %s", verified, want)
	}
}
