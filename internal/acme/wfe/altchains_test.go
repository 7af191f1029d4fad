package wfe

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net/http"
	"testing"
	"time"

	xacme "golang.org/x/crypto/acme"

	"github.com/stride-pki/stride/internal/acme"
)

// TestAlternateChains: with one alternate chain configured (a real
// cross-certificate of the issuing intermediate, signed by another root),
// the download links it with Link rel="alternate" (RFC 8555 §7.4.2), as
// read by golang.org/x/crypto/acme, and chain 1 verifies the leaf up to
// the other root; chain 1 links back to chain 0; other numbers are 404.
func TestAlternateChains(t *testing.T) {
	otherKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	other := caCert(t, pkix.Name{CommonName: "Other Root"}, nil, &otherKey.PublicKey, nil, otherKey)
	var cross *x509.Certificate
	ts := newTestServerWith(t, nil, func(issuer *x509.Certificate) [][]*x509.Certificate {
		cross = caCert(t, pkix.Name{}, issuer.RawSubject, issuer.PublicKey, other, otherKey)
		return [][]*x509.Certificate{{cross, other}}
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	client := newClient(t, ts)
	acct, err := client.Register(ctx, &xacme.Account{}, xacme.AcceptTOS)
	if err != nil {
		t.Fatal(err)
	}
	_, certURL := issue(ctx, t, ts, client, "alt.example")

	alts, err := client.ListCertAlternates(ctx, certURL)
	if err != nil || len(alts) != 1 || alts[0] != certURL+"/1" {
		t.Fatalf("alternates of chain 0: %v, %v", alts, err)
	}
	chain, err := client.FetchCert(ctx, alts[0], true)
	if err != nil || len(chain) != 3 {
		t.Fatalf("chain 1: %d certificates, %v", len(chain), err)
	}
	leaf, _ := x509.ParseCertificate(chain[0])
	roots, inters := x509.NewCertPool(), x509.NewCertPool()
	roots.AddCert(other)
	inters.AddCert(cross)
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inters}); err != nil {
		t.Fatalf("the leaf does not verify through chain 1: %v", err)
	}
	if back, err := client.ListCertAlternates(ctx, alts[0]); err != nil || len(back) != 1 || back[0] != certURL {
		t.Fatalf("alternates of chain 1: %v, %v", back, err)
	}
	raw := &rawClient{t: t, ts: ts, key: client.Key.(*ecdsa.PrivateKey), kid: acct.URI}
	for _, n := range []string{"2", "0", "01", "-1", "x"} {
		resp := raw.post(certURL+"/"+n, nil)
		if p := problemOf(t, resp); resp.StatusCode != http.StatusNotFound || p.Type != acme.ProbMalformed {
			t.Errorf("chain %q: %d %s", n, resp.StatusCode, p.Type)
		}
	}
}

// issue runs one order for names through http-01 and returns the chain
// and the certificate URL.
func issue(ctx context.Context, t *testing.T, ts *testServer, client *xacme.Client, names ...string) ([][]byte, string) {
	t.Helper()
	order, err := client.AuthorizeOrder(ctx, xacme.DomainIDs(names...))
	if err != nil {
		t.Fatal(err)
	}
	serveHTTP01(t, ts, client)
	for _, u := range order.AuthzURLs {
		z, err := client.GetAuthorization(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := client.Accept(ctx, challengeOf(t, z, "http-01")); err != nil {
			t.Fatal(err)
		}
	}
	if order, err = client.WaitOrder(ctx, order.URI); err != nil {
		t.Fatal(err)
	}
	csr, _ := newCSR(t, names...)
	chain, certURL, err := client.CreateOrderCert(ctx, order.FinalizeURL, csr, true)
	if err != nil {
		t.Fatal(err)
	}
	return chain, certURL
}

// caCert makes a CA certificate (self-signed when parent is nil); a
// non-nil rawSubject is used as the subject as is (a cross-certificate
// must repeat the intermediate's subject byte for byte).
func caCert(t *testing.T, subject pkix.Name, rawSubject []byte, pub any, parent *x509.Certificate, key *ecdsa.PrivateKey) *x509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: subject, RawSubject: rawSubject,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}
	if parent == nil {
		parent = tmpl
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, key)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return c
}

// TestCertificateOwnership: another account cannot download (401
// unauthorized) a certificate, and an unknown serial is 404.
func TestCertificateOwnership(t *testing.T) {
	ts := newTestServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	owner := newClient(t, ts)
	if _, err := owner.Register(ctx, &xacme.Account{}, xacme.AcceptTOS); err != nil {
		t.Fatal(err)
	}
	_, certURL := issue(ctx, t, ts, owner, "owned.example")
	stranger := newRawClient(t, ts)
	stranger.register()
	for url, want := range map[string]struct {
		status int
		typ    acme.ProblemType
	}{certURL: {http.StatusUnauthorized, acme.ProbUnauthorized}, certURL + "0": {http.StatusNotFound, acme.ProbMalformed}} {
		resp := stranger.post(url, nil)
		if p := problemOf(t, resp); resp.StatusCode != want.status || p.Type != want.typ {
			t.Errorf("%s: %d %s, want %d %s", url, resp.StatusCode, p.Type, want.status, want.typ)
		}
	}
}
