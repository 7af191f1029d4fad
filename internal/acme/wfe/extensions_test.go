package wfe

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	gojose "github.com/go-jose/go-jose/v4"
	xacme "golang.org/x/crypto/acme"

	"github.com/stride-pki/stride/internal/acme"
	"github.com/stride-pki/stride/internal/config"
	"github.com/stride-pki/stride/internal/storage"
)

// editACMEProvisioner rewrites cfg's ACME provisioner through edit.
func editACMEProvisioner(t *testing.T, cfg *config.CAConfig, edit func(map[string]any)) {
	t.Helper()
	for i, p := range cfg.Authority.Provisioners {
		if p.Type() != config.ProvisionerACME {
			continue
		}
		var m map[string]any
		json.Unmarshal(p.Raw(), &m)
		edit(m)
		b, _ := json.Marshal(m)
		if err := json.Unmarshal(b, &cfg.Authority.Provisioners[i]); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Fatal("no ACME provisioner")
}

// TestEABOverHTTP: a provisioner requiring EAB refuses accounts without a
// binding or with a wrong MAC, binds a key from the store once (x/crypto's
// ExternalAccountBinding, as certbot and lego send it), and holds the
// account's orders to the key's policy.
func TestEABOverHTTP(t *testing.T) {
	ts := newTestServerWith(t, func(p map[string]any) { p["requireEAB"] = true })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	key, err := acme.NewEABKey()
	if err != nil {
		t.Fatal(err)
	}
	if err := ts.store.CreateACMEEABKey(ctx, &storage.ACMEEABKey{ID: key.ID, Provisioner: "acme", HMACKey: key.Key,
		CreatedAt: time.Now(), Policy: []byte(`{"allow":{"dns":["*.team.example"]}}`)}); err != nil {
		t.Fatal(err)
	}
	dir, err := newClient(t, ts).Discover(ctx)
	if err != nil || !dir.ExternalAccountRequired {
		t.Fatalf("directory %+v: %v", dir, err)
	}

	c := newClient(t, ts)
	_, err = c.Register(ctx, &xacme.Account{}, xacme.AcceptTOS)
	wantACMEError(t, err, http.StatusBadRequest, "externalAccountRequired")
	wrong := &xacme.ExternalAccountBinding{KID: key.ID, Key: make([]byte, 32)}
	_, err = c.Register(ctx, &xacme.Account{ExternalAccountBinding: wrong}, xacme.AcceptTOS)
	wantACMEError(t, err, http.StatusUnauthorized, "unauthorized")

	eab := &xacme.ExternalAccountBinding{KID: key.ID, Key: key.Key}
	if _, err := c.Register(ctx, &xacme.Account{ExternalAccountBinding: eab}, xacme.AcceptTOS); err != nil {
		t.Fatal(err)
	}
	stored, err := ts.store.ACMEEABKey(ctx, key.ID)
	if err != nil || stored.AccountID == "" || stored.BoundAt.IsZero() {
		t.Fatalf("key after binding: %+v, %v", stored, err)
	}
	_, err = newClient(t, ts).Register(ctx, &xacme.Account{ExternalAccountBinding: eab}, xacme.AcceptTOS)
	wantACMEError(t, err, http.StatusUnauthorized, "unauthorized")

	_, err = c.AuthorizeOrder(ctx, xacme.DomainIDs("a.team.example", "elsewhere.example"))
	wantACMEError(t, err, http.StatusBadRequest, "rejectedIdentifier")
	if _, err := c.AuthorizeOrder(ctx, xacme.DomainIDs("a.team.example")); err != nil {
		t.Fatal(err)
	}
}

// TestKeyChangeOverHTTP: x/crypto's AccountKeyRollover moves an account to
// a new key; rolling over to another account's key is 409 with that
// account's URL in Location.
func TestKeyChangeOverHTTP(t *testing.T) {
	ts := newTestServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a, b := newClient(t, ts), newClient(t, ts)
	if _, err := a.Register(ctx, &xacme.Account{}, xacme.AcceptTOS); err != nil {
		t.Fatal(err)
	}
	bAcct, err := b.Register(ctx, &xacme.Account{}, xacme.AcceptTOS)
	if err != nil {
		t.Fatal(err)
	}

	err = a.AccountKeyRollover(ctx, b.Key)
	var ae *xacme.Error
	if !errors.As(err, &ae) || ae.StatusCode != http.StatusConflict || ae.Header.Get("Location") != bAcct.URI {
		t.Fatalf("rollover to b's key: %v; want 409 with Location %s", err, bAcct.URI)
	}

	oldKey := a.Key
	newKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err := a.AccountKeyRollover(ctx, newKey); err != nil {
		t.Fatal(err)
	}
	if _, err := a.AuthorizeOrder(ctx, xacme.DomainIDs("after.example")); err != nil {
		t.Fatalf("an order with the new key: %v", err)
	}
	old := &xacme.Client{Key: oldKey, DirectoryURL: ts.dirURL(), HTTPClient: ts.srv.Client()}
	if _, err = old.GetReg(ctx, ""); !errors.Is(err, xacme.ErrNoAccount) {
		t.Fatalf("the old key: %v, want accountDoesNotExist", err)
	}
}

// TestRenewalInfoAndProfilesOverHTTP: the directory lists renewalInfo and
// the profiles; an order naming a profile gets its validity; the
// certificate's renewalInfo answers a window inside its lifetime with a
// Retry-After of a tenth of it (under 6 h), and an unknown certificate is 404.
func TestRenewalInfoAndProfilesOverHTTP(t *testing.T) {
	ts := newTestServerWith(t, func(p map[string]any) {
		p["profiles"] = map[string]any{"short": map[string]any{"description": "three hours", "duration": "3h"}}
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c := newClient(t, ts)
	dir, err := c.Discover(ctx)
	if err != nil || dir.Profiles["short"] != "three hours" {
		t.Fatalf("directory profiles %v: %v", dir.Profiles, err)
	}
	if _, err := c.Register(ctx, &xacme.Account{}, xacme.AcceptTOS); err != nil {
		t.Fatal(err)
	}
	order, err := c.AuthorizeOrder(ctx, xacme.DomainIDs("ari.example"), xacme.WithOrderIssuanceProfile("short"))
	if err != nil {
		t.Fatal(err)
	}
	serveHTTP01(t, ts, c)
	for _, u := range order.AuthzURLs {
		z, _ := c.GetAuthorization(ctx, u)
		if _, err := c.Accept(ctx, challengeOf(t, z, "http-01")); err != nil {
			t.Fatal(err)
		}
		if _, err := c.WaitAuthorization(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	if order, err = c.WaitOrder(ctx, order.URI); err != nil {
		t.Fatal(err)
	}
	csr, _ := newCSR(t, "ari.example")
	chain, _, err := c.CreateOrderCert(ctx, order.FinalizeURL, csr, true)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(chain[0])
	if life := leaf.NotAfter.Sub(leaf.NotBefore); life < 3*time.Hour || life > 3*time.Hour+2*time.Minute {
		t.Fatalf("lifetime %v, want the profile's 3h", life)
	}

	var raw struct{ RenewalInfo string }
	getJSON(t, ts, ts.dirURL(), http.StatusOK, &raw)
	if !strings.HasSuffix(raw.RenewalInfo, "/acme/acme/renewal-info") {
		t.Fatalf("renewalInfo %q", raw.RenewalInfo)
	}
	id, _ := acme.NewARICertID(leaf)
	var info acme.RenewalInfo
	resp := getJSON(t, ts, raw.RenewalInfo+"/"+id.String(), http.StatusOK, &info)
	w := info.SuggestedWindow
	if !w.Start.After(leaf.NotBefore) || !w.End.Before(leaf.NotAfter) || resp.Header.Get("Retry-After") != strconv.Itoa(int(leaf.NotAfter.Sub(leaf.NotBefore).Seconds()/10)) {
		t.Fatalf("window %v..%v for %v..%v, Retry-After %q", w.Start, w.End, leaf.NotBefore, leaf.NotAfter, resp.Header.Get("Retry-After"))
	}
	unknown := acme.ARICertID{KeyID: leaf.AuthorityKeyId, Serial: leaf.SerialNumber.Add(leaf.SerialNumber, leaf.SerialNumber)}
	getJSON(t, ts, raw.RenewalInfo+"/"+unknown.String(), http.StatusNotFound, nil)
}

// getJSON GETs url, wants status, and decodes the body into v (if set).
func getJSON(t *testing.T, ts *testServer, url string, status int, v any) *http.Response {
	t.Helper()
	resp, err := ts.srv.Client().Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != status {
		t.Fatalf("GET %s: %d, want %d", url, resp.StatusCode, status)
	}
	if v != nil {
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			t.Fatal(err)
		}
	}
	return resp
}

// TestEABEchoedOnTheWire: the created account's JSON echoes the binding it
// was created with; asking for the account again does not (it is not kept).
func TestEABEchoedOnTheWire(t *testing.T) {
	ts := newTestServerWith(t, func(p map[string]any) { p["requireEAB"] = true })
	key, _ := acme.NewEABKey()
	if err := ts.store.CreateACMEEABKey(context.Background(), &storage.ACMEEABKey{ID: key.ID, Provisioner: "acme",
		HMACKey: key.Key, CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	c := newRawClient(t, ts)
	u := c.url("new-account")
	protected := base64.RawURLEncoding.EncodeToString(mustJSON(map[string]any{"alg": "HS256", "kid": key.ID, "url": u}))
	payload := base64.RawURLEncoding.EncodeToString(mustJSON(gojose.JSONWebKey{Key: c.key.Public()}))
	mac := hmac.New(sha256.New, key.Key)
	mac.Write([]byte(protected + "." + payload))
	eab := map[string]string{"protected": protected, "payload": payload,
		"signature": base64.RawURLEncoding.EncodeToString(mac.Sum(nil))}

	var created struct {
		ExternalAccountBinding map[string]string `json:"externalAccountBinding"`
	}
	resp := c.post("new-account", map[string]any{"termsOfServiceAgreed": true, "externalAccountBinding": eab})
	if resp.StatusCode != http.StatusCreated || json.NewDecoder(resp.Body).Decode(&created) != nil ||
		created.ExternalAccountBinding["signature"] != eab["signature"] {
		t.Fatalf("new-account: %d, binding %v", resp.StatusCode, created.ExternalAccountBinding)
	}
	var again map[string]any
	resp = c.post("new-account", map[string]any{"onlyReturnExisting": true})
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&again) != nil || again["externalAccountBinding"] != nil {
		t.Fatalf("existing account: %d, %v", resp.StatusCode, again)
	}
}
