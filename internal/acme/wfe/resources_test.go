package wfe

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

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
