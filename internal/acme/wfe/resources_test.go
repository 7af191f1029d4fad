package wfe

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	gojose "github.com/go-jose/go-jose/v4"

	"github.com/stride-pki/stride/internal/acme"
)

// TestDirectoryAndNonce: absolute URLs from the request's Host, both
// mounts, new-nonce's statuses and headers, unknown provisioners.
func TestDirectoryAndNonce(t *testing.T) {
	ts := newTestServer(t)
	hc := ts.srv.Client()
	for _, prefix := range []string{"/acme/acme/", "/2.0/acme/acme/"} {
		resp, err := hc.Get(ts.srv.URL + prefix + "directory")
		if err != nil {
			t.Fatal(err)
		}
		var dir acme.Directory
		json.NewDecoder(resp.Body).Decode(&dir)
		resp.Body.Close()
		if resp.StatusCode != 200 || dir.NewNonce != ts.srv.URL+"/acme/acme/new-nonce" || dir.KeyChange == "" || dir.Meta != nil {
			t.Fatalf("%s directory %d %+v", prefix, resp.StatusCode, dir)
		}
	}
	for method, status := range map[string]int{http.MethodHead: 200, http.MethodGet: 204} {
		req, _ := http.NewRequest(method, ts.srv.URL+"/acme/acme/new-nonce", nil)
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		h := resp.Header
		if resp.StatusCode != status || h.Get("Replay-Nonce") == "" || h.Get("Cache-Control") != "no-store" ||
			!strings.Contains(h.Get("Link"), `/acme/acme/directory>;rel="index"`) {
			t.Fatalf("%s new-nonce: %d %v", method, resp.StatusCode, h)
		}
	}
	resp, _ := hc.Get(ts.srv.URL + "/acme/nobody/directory")
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown provisioner: %d", resp.StatusCode)
	}
	resp.Body.Close()
}

// TestAccountResources: account read and update, the orders list (RFC
// form), authorization deactivation, challenge Link up and Retry-After.
func TestAccountResources(t *testing.T) {
	ts := newTestServer(t)
	c := newRawClient(t, ts)
	c.register()
	resp := c.post(c.kid, map[string]any{"contact": []string{"mailto:new@example.com"}})
	var acct acme.Account
	json.NewDecoder(resp.Body).Decode(&acct)
	if resp.StatusCode != 200 || len(acct.Contact) != 1 || acct.Orders != c.kid+"/orders" {
		t.Fatalf("account update: %d %+v", resp.StatusCode, acct)
	}
	resp = c.post("new-order", map[string]any{"identifiers": []any{map[string]string{"type": "dns", "value": "list.example"}}})
	var order acme.Order
	json.NewDecoder(resp.Body).Decode(&order)
	if resp.StatusCode != 201 || resp.Header.Get("Location") == "" {
		t.Fatalf("new-order: %d", resp.StatusCode)
	}
	resp = c.post(c.kid+"/orders", nil)
	var list acme.OrderList
	json.NewDecoder(resp.Body).Decode(&list)
	if len(list.Orders) != 1 || list.Orders[0] != resp.Request.URL.Scheme+"://"+resp.Request.URL.Host+"/acme/acme/order/"+lastSegment(list.Orders[0]) {
		t.Fatalf("orders: %+v", list)
	}
	resp = c.post(order.Authorizations[0], nil)
	var authz acme.Authorization
	json.NewDecoder(resp.Body).Decode(&authz)
	resp = c.post(authz.Challenges[0].URL, map[string]any{})
	if !strings.Contains(strings.Join(resp.Header.Values("Link"), ","), `rel="up"`) || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("challenge headers %v", resp.Header)
	}
	resp = c.post(order.Authorizations[0], map[string]any{"status": "deactivated"})
	json.NewDecoder(resp.Body).Decode(&authz)
	if resp.StatusCode != 200 || authz.Status != acme.StatusDeactivated {
		t.Fatalf("deactivate authz: %d %s", resp.StatusCode, authz.Status)
	}
}

func lastSegment(u string) string { return u[strings.LastIndex(u, "/")+1:] }

// TestOrdersNextPageURL: a page URL with a cursor is a valid JWS url (the
// query is part of the URL the client signs).
func TestOrdersNextPageURL(t *testing.T) {
	ts := newTestServer(t)
	c := newRawClient(t, ts)
	c.register()
	resp := c.post("new-order", map[string]any{"identifiers": []any{map[string]string{"type": "dns", "value": "p.example"}}})
	orderID := lastSegment(resp.Header.Get("Location"))
	resp = c.post(c.kid+"/orders?cursor="+orderID, nil)
	var list acme.OrderList
	json.NewDecoder(resp.Body).Decode(&list)
	if resp.StatusCode != 200 || len(list.Orders) != 0 {
		t.Fatalf("orders page: %d %+v", resp.StatusCode, list)
	}
	resp = c.post(c.kid+"/orders?cursor=unknown", nil)
	if p := problemOf(t, resp); resp.StatusCode != 400 || p.Type != acme.ProbMalformed {
		t.Fatalf("unknown cursor: %d %s", resp.StatusCode, p.Type)
	}
}

// TestEd25519Account: EdDSA account keys are accepted (RFC 8555 §6.2
// recommends them); an ES256 header with an Ed25519 key is not.
func TestEd25519Account(t *testing.T) {
	ts := newTestServer(t)
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	c := newRawClient(t, ts)
	u := c.url("new-account")
	sign := func(alg string) map[string]any {
		hb, _ := json.Marshal(map[string]any{"alg": alg, "nonce": c.nonce(), "url": u, "jwk": gojose.JSONWebKey{Key: pub}})
		protected := base64.RawURLEncoding.EncodeToString(hb)
		payload := base64.RawURLEncoding.EncodeToString([]byte(`{"termsOfServiceAgreed":true}`))
		sig := ed25519.Sign(priv, []byte(protected+"."+payload))
		return map[string]any{"protected": protected, "payload": payload, "signature": base64.RawURLEncoding.EncodeToString(sig)}
	}
	if resp := c.send(u, sign("EdDSA"), "application/jose+json"); resp.StatusCode != http.StatusCreated {
		t.Fatalf("EdDSA new-account: %d %+v", resp.StatusCode, problemOf(t, resp))
	}
	resp := c.send(u, sign("ES256"), "application/jose+json")
	if p := problemOf(t, resp); p.Type != acme.ProbBadSignatureAlgorithm {
		t.Fatalf("ES256 with an Ed25519 key: %d %s", resp.StatusCode, p.Type)
	}
}
