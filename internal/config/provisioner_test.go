package config

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestCanonicalProvisionerType(t *testing.T) {
	tests := []struct {
		in, want string
		known    bool
	}{
		{"jwk", "JWK", true}, {"K8SSA", "K8sSA", true}, {"azure", "Azure", true},
		{"nebula", "Nebula", true}, {"sshpop", "SSHPOP", true}, {"Wire", "Wire", false}, {"", "", false},
	}
	for _, tc := range tests {
		got, known := CanonicalProvisionerType(tc.in)
		if got != tc.want || known != tc.known {
			t.Errorf("%q: got %q %v, want %q %v", tc.in, got, known, tc.want, tc.known)
		}
	}
}

func TestProvisionerSetKeepsOrderAndUnknown(t *testing.T) {
	p := rawProvisioner(t, `{"type":"JWK","name":"a","x-future":{"k":1},"encryptedKey":"old"}`)
	if err := p.Set(JWKFields{Key: json.RawMessage(`{"kty":"EC"}`), EncryptedKey: "new"}); err != nil {
		t.Fatal(err)
	}
	want := `{"type":"JWK","name":"a","x-future":{"k":1},"encryptedKey":"new","key":{"kty":"EC"}}`
	if got := string(p.Raw()); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if err := p.Delete("x-future", "absent"); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(p.Raw()), "x-future") {
		t.Errorf("not deleted: %s", p.Raw())
	}
}

func TestNewProvisioner(t *testing.T) {
	yes := true
	p, err := NewProvisioner(
		ProvisionerCommon{Type: ProvisionerACME, Name: "acme", Claims: &Claims{EnableSSHCA: &yes}},
		ACMEFields{Challenges: []string{"http-01"}, RequireEAB: true},
	)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"type":"ACME","name":"acme","claims":{"enableSSHCA":true},"requireEAB":true,"challenges":["http-01"]}`
	if string(p.Raw()) != want {
		t.Errorf("got  %s\nwant %s", p.Raw(), want)
	}
	if _, err := NewProvisioner([]string{"not an object"}); err == nil {
		t.Error("an array view was accepted")
	}
	var zero Provisioner
	if b, _ := json.Marshal(zero); string(b) != "{}" {
		t.Errorf("zero provisioner = %s", b)
	}
}

func TestProvisionerX5CRootsBase64(t *testing.T) {
	pem := "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n"
	p, err := NewProvisioner(ProvisionerCommon{Type: "X5C", Name: "x5c"}, X5CFields{Roots: []byte(pem)})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(p.Raw()), `"roots":"LS0tLS1CRUdJTi`) {
		t.Errorf("roots not base64 of PEM: %s", p.Raw())
	}
	v, err := p.X5C()
	if err != nil || string(v.Roots) != pem {
		t.Errorf("X5C() = %q, %v", v.Roots, err)
	}
}

// A package modelling a new provisioner type declares its own view; this
// is what "extensible" means here.
func TestProvisionerCustomView(t *testing.T) {
	type oidcView struct {
		ClientID string   `json:"clientID"`
		Domains  []string `json:"domains,omitempty"`
	}
	p := rawProvisioner(t, `{"type":"OIDC","name":"google","clientID":"id","domains":["example.com"],"x":1}`)
	var v oidcView
	if err := p.Decode(&v); err != nil || v.ClientID != "id" || v.Domains[0] != "example.com" {
		t.Fatalf("Decode = %+v, %v", v, err)
	}
	v.ClientID = "new"
	if err := p.Set(v); err != nil {
		t.Fatal(err)
	}
	if want := `{"type":"OIDC","name":"google","clientID":"new","domains":["example.com"],"x":1}`; string(p.Raw()) != want {
		t.Errorf("got %s", p.Raw())
	}
}

func TestACMEProfilesRoundTrip(t *testing.T) {
	in := `{"type":"ACME","name":"acme","profiles":{"short":{"description":"6 days","duration":"144h0m0s","x-future":[1]}},"defaultProfile":"short"}`
	p := rawProvisioner(t, in)
	v, err := p.ACME()
	if err != nil {
		t.Fatal(err)
	}
	short := v.Profiles["short"]
	if v.DefaultProfile != "short" || short.Description != "6 days" || short.Duration.Std() != 144*time.Hour || short.Extra["x-future"] == nil {
		t.Fatalf("ACME() = %+v", v)
	}
	v.RequireEAB = true
	if err := p.Set(v); err != nil {
		t.Fatal(err)
	}
	want := `{"type":"ACME","name":"acme","profiles":{"short":{"description":"6 days","duration":"144h0m0s","x-future":[1]}},"defaultProfile":"short","requireEAB":true}`
	if got := string(p.Raw()); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
