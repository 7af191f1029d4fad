package client

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stride-pki/stride/internal/jose"
)

func x5cTestCert(t *testing.T, cn string, parent *x509.Certificate, parentKey crypto.Signer) (*x509.Certificate, crypto.Signer) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Minute), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	signer := crypto.Signer(key)
	if parent == nil {
		tmpl.IsCA, tmpl.BasicConstraintsValid, tmpl.KeyUsage = true, true, x509.KeyUsageCertSign
		parent, signer = tmpl, key
	} else {
		signer = parentKey
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), signer)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c, key
}

func TestNewX5CToken(t *testing.T) {
	root, rootKey := x5cTestCert(t, "root", nil, nil)
	leaf, leafKey := x5cTestCert(t, "device", root, rootKey)
	now := time.Unix(1_800_000_000, 0)
	tok, err := NewX5CToken("svc.example.com", X5CTokenOptions{
		Provisioner: "x5c", Chain: []*x509.Certificate{leaf, root}, Key: leafKey,
		Audience: Audience("https://ca:9000/", AudienceSign), RootSHA: "AB:CD", SANs: []string{"svc.example.com", "10.0.0.1"},
		Extra: map[string]any{"user": map[string]any{}}, Now: func() time.Time { return now },
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "https://ca:9000/1.0/sign#x5c/x5c"
	h, c, err := jose.VerifyJWT(tok, leafKey.Public(), jose.Expected{Issuer: "x5c", Subject: "svc.example.com", Audience: []string{want}, Time: now})
	if err != nil {
		t.Fatalf("verifying with the leaf key: %v", err)
	}
	if c["aud"] != want {
		t.Errorf("aud %#v is not the single string %q", c["aud"], want)
	}
	if h["alg"] != "ES256" || h["typ"] != "JWT" {
		t.Errorf("header %v", h)
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[0])
	if err != nil {
		t.Fatal(err)
	}
	var hdr map[string]any
	if err := json.Unmarshal(raw, &hdr); err != nil {
		t.Fatal(err)
	}
	x5c, _ := hdr["x5c"].([]any)
	if len(x5c) != 2 {
		t.Fatalf("x5c header %#v, want the leaf and the root", h["x5c"])
	}
	for i, want := range []*x509.Certificate{leaf, root} {
		der, err := base64.StdEncoding.DecodeString(x5c[i].(string))
		if err != nil || string(der) != string(want.Raw) {
			t.Errorf("x5c[%d] is not std-base64 DER of the chain's certificate %d (%v)", i, i, err)
		}
	}
	if jti, _ := c["jti"].(string); !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(jti) {
		t.Errorf("jti %q", jti)
	}
	if c["sha"] != "abcd" {
		t.Errorf("sha %v", c["sha"])
	}
	if c["nbf"].(float64) != float64(now.Unix()) || c["exp"].(float64) != float64(now.Add(5*time.Minute).Unix()) {
		t.Errorf("nbf %v exp %v", c["nbf"], c["exp"])
	}
	if s, _ := c["sans"].([]any); len(s) != 2 || s[1] != "10.0.0.1" {
		t.Errorf("sans %v", c["sans"])
	}
	if _, ok := c["user"]; !ok {
		t.Error("the extra claims are missing")
	}
	// The root's key did not sign it.
	if _, _, err := jose.VerifyJWT(tok, rootKey.Public(), jose.Expected{Time: now}); err == nil {
		t.Error("the token verifies with another key")
	}

	// Revoke audiences get the fragment too.
	tok, err = NewX5CToken("1234", X5CTokenOptions{Provisioner: "dev ices", Chain: []*x509.Certificate{leaf}, Key: leafKey,
		Audience: Audience("https://ca", AudienceRevoke), Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	if _, c, err = jose.VerifyJWT(tok, leafKey.Public(), jose.Expected{Time: now}); err != nil || c["aud"] != "https://ca/1.0/revoke#x5c/dev ices" {
		t.Errorf("revoke aud %v (%v)", c["aud"], err)
	}
	if _, ok := c["sans"]; ok {
		t.Error("nil SANs should leave the claim out")
	}
}

func TestNewX5CTokenRefuses(t *testing.T) {
	root, rootKey := x5cTestCert(t, "root", nil, nil)
	leaf, _ := x5cTestCert(t, "device", root, rootKey)
	base := X5CTokenOptions{Provisioner: "x5c", Chain: []*x509.Certificate{leaf}, Key: rootKey, Audience: "https://ca/1.0/sign"}
	if _, err := NewX5CToken("sub", base); err == nil || !strings.Contains(err.Error(), "not the private key") {
		t.Errorf("a key not of the leaf: %v", err)
	}
	for name, o := range map[string]X5CTokenOptions{
		"no chain":       {Provisioner: "x5c", Key: rootKey, Audience: "a"},
		"no key":         {Provisioner: "x5c", Chain: base.Chain, Audience: "a"},
		"no provisioner": {Chain: base.Chain, Key: rootKey, Audience: "a"},
	} {
		if _, err := NewX5CToken("sub", o); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := NewX5CToken("", base); err == nil {
		t.Error("an empty subject: no error")
	}
}

// TestNewX5CTokenInsecure: --x5c-insecure moves the chain to the
// x5cInsecure header and leaves no x5c header.
func TestNewX5CTokenInsecure(t *testing.T) {
	root, rootKey := x5cTestCert(t, "root", nil, nil)
	leaf, leafKey := x5cTestCert(t, "device", root, rootKey)
	tok, err := NewX5CToken("svc.example.com", X5CTokenOptions{Provisioner: "x5c", Chain: []*x509.Certificate{leaf},
		Key: leafKey, Audience: Audience("https://ca:9000/", AudienceSign), Insecure: true})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[0])
	var hdr map[string]any
	if err := json.Unmarshal(raw, &hdr); err != nil {
		t.Fatal(err)
	}
	if _, ok := hdr["x5c"]; ok {
		t.Errorf("x5c header present: %v", hdr)
	}
	if chain, _ := hdr["x5cInsecure"].([]any); len(chain) != 1 || chain[0] != base64.StdEncoding.EncodeToString(leaf.Raw) {
		t.Errorf("x5cInsecure header %v", hdr["x5cInsecure"])
	}
}
