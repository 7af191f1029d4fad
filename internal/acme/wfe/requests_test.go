package wfe

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"net/http"
	"strings"
	"testing"

	gojose "github.com/go-jose/go-jose/v4"
)

// TestRequestChecks: every bad request envelope gets its exact problem
// type and status (RFC 8555 §6, security.md §2.1–2.2), and a fresh nonce.
func TestRequestChecks(t *testing.T) {
	ts := newTestServer(t)
	c := newRawClient(t, ts)
	c.register()
	gone := newRawClient(t, ts)
	gone.register()
	if resp := gone.post(gone.kid, map[string]any{"status": "deactivated"}); resp.StatusCode != http.StatusOK {
		t.Fatalf("deactivate: %d", resp.StatusCode)
	}
	order := []byte(`{"identifiers":[{"type":"dns","value":"x.example"}]}`)
	newOrder := c.url("new-order")
	used := c.header(newOrder)
	c.send(newOrder, c.sign(used, order), "application/jose+json")
	weak, _ := rsa.GenerateKey(rand.Reader, 1024)

	tests := []struct {
		name   string
		build  func() (url string, body any, ct string)
		status int
		typ    string
	}{
		{"malformed JSON", func() (string, any, string) {
			return newOrder, []byte(`{"protected":`), "application/jose+json"
		}, 400, "malformed"},
		{"compact serialization", func() (string, any, string) {
			j := c.sign(c.header(newOrder), order)
			return newOrder, []byte(j["protected"].(string) + "." + j["payload"].(string) + "." + j["signature"].(string)), "application/jose+json"
		}, 400, "malformed"},
		{"two signatures", func() (string, any, string) {
			j := c.sign(c.header(newOrder), order)
			sig := map[string]any{"protected": j["protected"], "signature": j["signature"]}
			return newOrder, map[string]any{"payload": j["payload"], "signatures": []any{sig, sig}}, "application/jose+json"
		}, 400, "malformed"},
		{"unprotected header", func() (string, any, string) {
			j := c.sign(c.header(newOrder), order)
			j["header"] = map[string]any{"kid": c.kid}
			return newOrder, j, "application/jose+json"
		}, 400, "malformed"},
		{"alg none", signedWith(c, newOrder, order, func(h map[string]any) { h["alg"] = "none" }), 400, "badSignatureAlgorithm"},
		{"alg HS256", signedWith(c, newOrder, order, func(h map[string]any) { h["alg"] = "HS256" }), 400, "badSignatureAlgorithm"},
		{"alg does not match the key", signedWith(c, newOrder, order, func(h map[string]any) { h["alg"] = "ES384" }), 400, "badSignatureAlgorithm"},
		{"url mismatch", signedWith(c, newOrder, order, func(h map[string]any) { h["url"] = c.url("new-account") }), 401, "unauthorized"},
		{"jwk and kid", signedWith(c, newOrder, order, func(h map[string]any) { h["jwk"] = gojose.JSONWebKey{Key: c.key.Public()} }), 400, "malformed"},
		{"empty kid", signedWith(c, newOrder, order, func(h map[string]any) { h["kid"] = "" }), 400, "malformed"},
		{"neither jwk nor kid", signedWith(c, newOrder, order, func(h map[string]any) { delete(h, "kid") }), 400, "malformed"},
		{"jwk where kid is required", signedWith(c, newOrder, order, func(h map[string]any) {
			delete(h, "kid")
			h["jwk"] = gojose.JSONWebKey{Key: c.key.Public()}
		}), 400, "malformed"},
		{"crit", signedWith(c, newOrder, order, func(h map[string]any) { h["crit"] = []string{"b64"}; h["b64"] = false }), 400, "malformed"},
		{"duplicate url", func() (string, any, string) {
			j := c.sign(c.header(newOrder), order)
			return newOrder, []byte(strings.Replace(string(mustJSON(j)), `"payload"`, `"Payload":"",  "payload"`, 1)), "application/jose+json"
		}, 400, "malformed"},
		{"duplicate url in the header", func() (string, any, string) {
			hdr := `{"alg":"ES256","nonce":"` + c.nonce() + `","url":"` + newOrder + `","URL":"` + c.url("new-account") + `","kid":"` + c.kid + `"}`
			return newOrder, c.signRawHeader([]byte(hdr), order), "application/jose+json"
		}, 400, "malformed"},
		{"missing nonce", signedWith(c, newOrder, order, func(h map[string]any) { delete(h, "nonce") }), 400, "badNonce"},
		{"bad nonce", signedWith(c, newOrder, order, func(h map[string]any) { h["nonce"] = "AAAA" }), 400, "badNonce"},
		{"reused nonce", func() (string, any, string) {
			return newOrder, c.sign(used, order), "application/jose+json"
		}, 400, "badNonce"},
		{"wrong Content-Type", func() (string, any, string) {
			return newOrder, c.sign(c.header(newOrder), order), "application/json"
		}, 415, "malformed"},
		{"oversized body", func() (string, any, string) {
			return newOrder, bytes.Repeat([]byte("a"), DefaultMaxBodyBytes+1), "application/jose+json"
		}, 413, "malformed"},
		{"bad signature", func() (string, any, string) {
			j := c.sign(c.header(newOrder), order)
			j["payload"] = "e30"
			return newOrder, j, "application/jose+json"
		}, 400, "malformed"},
		{"unknown account", signedWith(c, newOrder, order, func(h map[string]any) { h["kid"] = c.url("account/nope") }), 400, "accountDoesNotExist"},
		{"deactivated account", func() (string, any, string) {
			return newOrder, gone.sign(gone.header(newOrder), order), "application/jose+json"
		}, 401, "unauthorized"},
		{"weak RSA jwk", func() (string, any, string) {
			u := c.url("new-account")
			h := map[string]any{"alg": "RS256", "nonce": c.nonce(), "url": u, "jwk": gojose.JSONWebKey{Key: weak.Public()}}
			return u, rsaSigned(t, weak, h, []byte(`{}`)), "application/jose+json"
		}, 400, "badPublicKey"},
		{"POST-as-GET with a payload", signedWith(c, c.url("order/any"), []byte(`{"x":1}`), func(map[string]any) {}), 400, "malformed"},
		{"another account's URL", signedWith(c, gone.kid, nil, func(map[string]any) {}), 401, "unauthorized"},
		{"key-change without an inner JWS", signedWith(c, c.url("key-change"), []byte(`{}`), func(map[string]any) {}), 400, "malformed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			url, body, ct := tc.build()
			resp := c.send(url, body, ct)
			if resp.StatusCode != tc.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.status)
			}
			if p := problemOf(t, resp); string(p.Type) != "urn:ietf:params:acme:error:"+tc.typ {
				t.Errorf("problem %s (%s), want %s", p.Type, p.Detail, tc.typ)
			}
			if resp.Header.Get("Replay-Nonce") == "" {
				t.Error("no Replay-Nonce on an error")
			}
		})
	}
}

// signedWith builds a correctly signed request to url whose protected
// header edit has changed.
func signedWith(c *rawClient, url string, payload []byte, edit func(map[string]any)) func() (string, any, string) {
	return func() (string, any, string) {
		h := c.header(url)
		edit(h)
		return url, c.sign(h, payload), "application/jose+json"
	}
}
