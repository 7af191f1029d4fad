package acme

import (
	"context"
	"crypto/x509"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestOrderLifecycle drives one order through every state: pending →
// (validation) → ready → processing → valid, and downloads the chain.
func TestOrderLifecycle(t *testing.T) {
	e := newTestEnv(t, nil)
	e.runWorker()
	ctx := context.Background()
	acct, _ := e.account()
	o := e.order(acct, "www.example.com", "Example.COM", "10.0.0.1", "www.example.com")
	if got := len(o.Identifiers); got != 3 {
		t.Fatalf("identifiers %v: duplicates not dropped", o.Identifiers)
	}
	if o.Identifiers[1].Value != "example.com" {
		t.Fatalf("identifier %q not lower-cased", o.Identifiers[1].Value)
	}
	if _, err := e.svc.Finalize(ctx, e.prov, acct, o.ID, csr(t, "", "www.example.com", "example.com", "10.0.0.1")); err != nil {
		wantProblem(t, err, ProbOrderNotReady)
	} else {
		t.Fatal("finalize before ready succeeded")
	}
	e.validateAll(acct, o)
	o, err := e.svc.Order(ctx, acct, o.ID)
	if err != nil || o.Status != string(StatusReady) {
		t.Fatalf("order %v after validation: %v", o.Status, err)
	}
	o, err = e.svc.Finalize(ctx, e.prov, acct, o.ID, csr(t, "example.com", "www.example.com", "EXAMPLE.com", "10.0.0.1"))
	if err != nil {
		t.Fatal(err)
	}
	if o.Status != string(StatusValid) || o.CertificateSerial == "" {
		t.Fatalf("order after finalize: %+v", o)
	}
	chain, err := e.svc.CertificateChain(ctx, acct, o.CertificateSerial)
	if err != nil || len(chain) != 2 {
		t.Fatalf("chain: %d certificates, %v", len(chain), err)
	}
	leaf, _ := x509.ParseCertificate(chain[0])
	if leaf.Subject.CommonName != "example.com" || !slices.Equal(leaf.DNSNames, []string{"www.example.com", "example.com"}) {
		t.Fatalf("leaf CN %q DNS %v", leaf.Subject.CommonName, leaf.DNSNames)
	}
	if len(leaf.IPAddresses) != 1 || leaf.IPAddresses[0].String() != "10.0.0.1" {
		t.Fatalf("leaf IPs %v", leaf.IPAddresses)
	}
}

// TestChallengeSets: the offered challenges follow the identifier (dns-01
// only for wildcards, none for IPs) and the provisioner's enabled set.
func TestChallengeSets(t *testing.T) {
	tests := []struct {
		name    string
		enabled []any
		ident   string
		want    []string
	}{
		{"dns default", nil, "a.example", []string{"http-01", "dns-01", "tls-alpn-01"}},
		{"wildcard", nil, "*.example.net", []string{"dns-01"}},
		{"ip", nil, "192.0.2.7", []string{"http-01", "tls-alpn-01"}},
		{"enabled subset", []any{"http-01"}, "b.example", []string{"http-01"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEnv(t, func(p map[string]any) {
				if tc.enabled != nil {
					p["challenges"] = tc.enabled
				}
			})
			acct, _ := e.account()
			o := e.order(acct, tc.ident)
			a, err := e.svc.Authz(context.Background(), acct, o.AuthzIDs[0])
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range a.Challenges {
				got = append(got, c.Type)
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("challenges %v, want %v", got, tc.want)
			}
			if strings.HasPrefix(tc.ident, "*.") && (!a.Wildcard || a.Identifier.Value != tc.ident[2:]) {
				t.Fatalf("wildcard authz %+v", a.Identifier)
			}
		})
	}
}

// TestWildcardOnlyHTTPEnabled: a wildcard cannot be ordered when dns-01 is
// not enabled.
func TestWildcardOnlyHTTPEnabled(t *testing.T) {
	e := newTestEnv(t, func(p map[string]any) { p["challenges"] = []any{"http-01"} })
	acct, _ := e.account()
	_, err := e.svc.NewOrder(context.Background(), e.prov, acct,
		NewOrderRequest{Identifiers: []Identifier{{Type: IdentifierDNS, Value: "*.example.com"}}})
	wantProblem(t, err, ProbRejectedIdentifier)
}

// TestConcurrentFinalize: of many concurrent finalizations one wins and
// exactly one certificate exists.
func TestConcurrentFinalize(t *testing.T) {
	e := newTestEnv(t, nil)
	e.runWorker()
	acct, _ := e.account()
	o := e.order(acct, "race.example")
	e.validateAll(acct, o)
	var wg sync.WaitGroup
	var mu sync.Mutex
	serials := map[string]bool{}
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := e.svc.Finalize(context.Background(), e.prov, acct, o.ID, csr(t, "", "race.example"))
			if err == nil {
				mu.Lock()
				serials[got.CertificateSerial] = true
				mu.Unlock()
			} else if !errIs(err, ProbOrderNotReady) {
				t.Errorf("finalize: %v", err)
			}
		}()
	}
	wg.Wait()
	if len(serials) != 1 {
		t.Fatalf("%d certificates issued, want 1", len(serials))
	}
}

// TestOrderValidity: the order's notBefore/notAfter become the
// certificate's; a lifetime beyond the claims is refused at new-order.
func TestOrderValidity(t *testing.T) {
	e := newTestEnv(t, nil)
	e.runWorker()
	ctx := context.Background()
	acct, _ := e.account()
	nb := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	na := nb.Add(2 * time.Hour)
	ids := []Identifier{{Type: IdentifierDNS, Value: "time.example"}}
	_, err := e.svc.NewOrder(ctx, e.prov, acct, NewOrderRequest{Identifiers: ids,
		NotBefore: nb.Format(time.RFC3339), NotAfter: nb.Add(25 * time.Hour).Format(time.RFC3339)})
	wantProblem(t, err, ProbMalformed)
	o, err := e.svc.NewOrder(ctx, e.prov, acct, NewOrderRequest{Identifiers: ids,
		NotBefore: nb.Format(time.RFC3339), NotAfter: na.Format(time.RFC3339)})
	if err != nil {
		t.Fatal(err)
	}
	e.validateAll(acct, o)
	o, err = e.svc.Finalize(ctx, e.prov, acct, o.ID, csr(t, "", "time.example"))
	if err != nil {
		t.Fatal(err)
	}
	c, _ := e.store.Certificate(ctx, o.CertificateSerial)
	if !c.NotBefore.Equal(nb) || !c.NotAfter.Equal(na) {
		t.Fatalf("certificate %v – %v, want %v – %v", c.NotBefore, c.NotAfter, nb, na)
	}
}
