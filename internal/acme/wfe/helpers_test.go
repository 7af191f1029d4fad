package wfe

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stride-pki/stride/internal/acme"
	"github.com/stride-pki/stride/internal/authority"
	"github.com/stride-pki/stride/internal/config"
	"github.com/stride-pki/stride/internal/pemutil"
	"github.com/stride-pki/stride/internal/pki/pkitest"
	"github.com/stride-pki/stride/internal/provisioner"
	"github.com/stride-pki/stride/internal/storage/bolt"
)

// testServer is the ACME edge over a fresh PKI, a real authority and a
// real bbolt store, behind an httptest TLS server, with a validator that
// really fetches http-01 answers (from the test's own listener).
type testServer struct {
	srv   *httptest.Server
	svc   *acme.Service
	store *bolt.Store
	val   *httpValidator
}

func (s *testServer) dirURL() string { return s.srv.URL + "/acme/acme/directory" }

func newTestServer(t *testing.T) *testServer { return newTestServerWith(t, nil) }

// newTestServerWith is newTestServer with the ACME provisioner's ca.json
// object changed by edit first, and the authority given the alternate
// chains alts returns for the issuing intermediate, if any.
func newTestServerWith(t *testing.T, edit func(prov map[string]any), alts ...func(issuer *x509.Certificate) [][]*x509.Certificate) *testServer {
	t.Helper()
	paths, pw := sharedPKI(t)
	cfg, err := config.Load(paths.CAConfig())
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		editACMEProvisioner(t, cfg, edit)
	}
	store, err := bolt.Open(filepath.Join(t.TempDir(), "acme.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	roots, _ := pemutil.ReadCertificates(paths.RootCert())
	inters, _ := pemutil.ReadCertificates(paths.IntermediateCert())
	key, err := pemutil.ReadPrivateKey(paths.IntermediateKey(), pw)
	if err != nil {
		t.Fatal(err)
	}
	provs, err := provisioner.NewCollection(cfg.Authority.Provisioners, provisioner.Options{
		DNSNames: cfg.DNSNames, AuthorityClaims: cfg.Authority.Claims, StartTime: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	var alternates [][]*x509.Certificate
	for _, f := range alts {
		alternates = append(alternates, f(inters[0])...)
	}
	a, err := authority.New(authority.Options{Config: cfg, Roots: roots, Intermediates: inters, Signer: key,
		Provisioners: provs, Store: store, BasePath: paths.Authority, AlternateChains: alternates})
	if err != nil {
		t.Fatal(err)
	}
	pp, _ := provs.ByName("acme")
	prov, err := acme.NewProvisioner(pp.ID(), pp.Config(), pp.Claims())
	if err != nil {
		t.Fatal(err)
	}
	nonceKey := make([]byte, 32)
	rand.Read(nonceKey)
	nonces, _ := acme.NewNonces(nonceKey, store, nil)
	val := &httpValidator{}
	worker := acme.NewWorker(acme.WorkerOptions{Store: store, Validator: val, Poll: 50 * time.Millisecond,
		Backoff: []time.Duration{50 * time.Millisecond}, Timeout: 5 * time.Second})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { worker.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	svc := acme.New(acme.Options{Store: store, Authority: a, Provisioners: []*acme.Provisioner{prov},
		Nonces: nonces, Wake: worker.Wake})
	srv := httptest.NewTLSServer(New(svc, Options{}))
	t.Cleanup(srv.Close)
	return &testServer{srv: srv, svc: svc, store: store, val: val}
}

// httpValidator performs http-01 for real against the listener at addr
// (whatever the identifier: tests cannot bind port 80 for a name).
type httpValidator struct{ addr string }

func (v *httpValidator) HTTP01(ctx context.Context, typ, value, token, keyAuth string) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+v.addr+"/.well-known/acme-challenge/"+token, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return &acme.ValidationError{Type: "connection", Detail: err.Error(), Retryable: true}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	if resp.StatusCode != http.StatusOK || strings.TrimSpace(string(body)) != keyAuth {
		return &acme.ValidationError{Type: "incorrectResponse", Detail: fmt.Sprintf("status %d, wrong key authorization", resp.StatusCode)}
	}
	return nil
}

func (v *httpValidator) DNS01(context.Context, string, string) error {
	return &acme.ValidationError{Type: "dns", Detail: "no DNS in tests"}
}

func (v *httpValidator) TLSALPN01(context.Context, string, string, string) error {
	return &acme.ValidationError{Type: "tls", Detail: "no TLS-ALPN in tests"}
}

func (v *httpValidator) CAA(context.Context, string, bool, []string) error { return nil }

// problemOf decodes a problem+json answer.
func problemOf(t *testing.T, resp *http.Response) acme.Problem {
	t.Helper()
	if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type %q, want application/problem+json", ct)
	}
	var p acme.Problem
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
		t.Fatal(err)
	}
	return p
}

// testPKI is the package's one PKI (pkitest: created once, removed by TestMain).
var testPKI = pkitest.Shared{Name: "WFE"}

// sharedPKI returns the package's PKI and its password.
func sharedPKI(t *testing.T) (config.Paths, []byte) {
	t.Helper()
	return testPKI.Get(t), pkitest.Password
}

// TestMain removes the shared PKI after the package's tests.
func TestMain(m *testing.M) {
	code := m.Run()
	testPKI.Remove()
	os.Exit(code)
}
