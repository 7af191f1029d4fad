package wfe

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"testing"

	gojose "github.com/go-jose/go-jose/v4"
)

// rawClient builds ACME requests by hand, so tests can break any part of
// the JWS that a real client would always get right.
type rawClient struct {
	t   *testing.T
	ts  *testServer
	key *ecdsa.PrivateKey
	kid string // the account URL once registered
}

func newRawClient(t *testing.T, ts *testServer) *rawClient {
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	return &rawClient{t: t, ts: ts, key: k}
}

func (c *rawClient) url(suffix string) string { return c.ts.srv.URL + "/acme/acme/" + suffix }

func (c *rawClient) nonce() string {
	c.t.Helper()
	resp, err := c.ts.srv.Client().Head(c.url("new-nonce"))
	if err != nil {
		c.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.Header.Get("Replay-Nonce")
}

// header is the protected header a correct client sends to url.
func (c *rawClient) header(url string) map[string]any {
	h := map[string]any{"alg": "ES256", "nonce": c.nonce(), "url": url}
	if c.kid != "" {
		h["kid"] = c.kid
	} else {
		h["jwk"] = gojose.JSONWebKey{Key: c.key.Public()}
	}
	return h
}

// sign makes the flattened JWS body of payload under header hdr.
func (c *rawClient) sign(hdr map[string]any, payload []byte) map[string]any {
	c.t.Helper()
	hb, _ := json.Marshal(hdr)
	return c.signRawHeader(hb, payload)
}

// signRawHeader signs a protected header given as JSON text.
func (c *rawClient) signRawHeader(hb, payload []byte) map[string]any {
	protected := base64.RawURLEncoding.EncodeToString(hb)
	pl := base64.RawURLEncoding.EncodeToString(payload)
	return map[string]any{"protected": protected, "payload": pl, "signature": c.signature(protected + "." + pl)}
}

func (c *rawClient) signature(input string) string {
	sum := sha256.Sum256([]byte(input))
	r, s, err := ecdsa.Sign(rand.Reader, c.key, sum[:])
	if err != nil {
		c.t.Fatal(err)
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return base64.RawURLEncoding.EncodeToString(sig)
}

// send posts body (a JWS map, or raw bytes) with Content-Type ct.
func (c *rawClient) send(url string, body any, ct string) *http.Response {
	c.t.Helper()
	b, ok := body.([]byte)
	if !ok {
		b, _ = json.Marshal(body)
	}
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(b))
	req.Header.Set("Content-Type", ct)
	resp, err := c.ts.srv.Client().Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// post sends a correct request for payload to suffix.
func (c *rawClient) post(suffix string, payload any) *http.Response {
	c.t.Helper()
	var pb []byte
	if payload != nil {
		pb, _ = json.Marshal(payload)
	}
	u := c.url(suffix)
	if len(suffix) > 8 && suffix[:8] == "https://" {
		u = suffix
	}
	return c.send(u, c.sign(c.header(u), pb), "application/jose+json")
}

// register creates the account and remembers its URL as kid.
func (c *rawClient) register() {
	c.t.Helper()
	resp := c.post("new-account", map[string]any{"termsOfServiceAgreed": true})
	if resp.StatusCode != http.StatusCreated {
		c.t.Fatalf("new-account: %d", resp.StatusCode)
	}
	c.kid = resp.Header.Get("Location")
}

var _ crypto.Signer = (*ecdsa.PrivateKey)(nil)

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// rsaSigned is an RS256 flattened JWS (for the key-strength cases).
func rsaSigned(t *testing.T, k *rsa.PrivateKey, hdr map[string]any, payload []byte) map[string]any {
	t.Helper()
	hb, _ := json.Marshal(hdr)
	protected := base64.RawURLEncoding.EncodeToString(hb)
	pl := base64.RawURLEncoding.EncodeToString(payload)
	sum := sha256.Sum256([]byte(protected + "." + pl))
	sig, err := rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return map[string]any{"protected": protected, "payload": pl, "signature": base64.RawURLEncoding.EncodeToString(sig)}
}
