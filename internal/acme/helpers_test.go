package acme

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	gojose "github.com/go-jose/go-jose/v4"

	"github.com/stride-pki/stride/internal/authority"
	"github.com/stride-pki/stride/internal/config"
	"github.com/stride-pki/stride/internal/pemutil"
	"github.com/stride-pki/stride/internal/pki/pkitest"
	"github.com/stride-pki/stride/internal/provisioner"
	"github.com/stride-pki/stride/internal/storage"
	"github.com/stride-pki/stride/internal/storage/bolt"
)

// testEnv is the ACME core over a fresh PKI (pki.Create with its ACME
// provisioner), a real authority and a real bbolt store, with a scripted
// validator.
type testEnv struct {
	t      *testing.T
	svc    *Service
	store  *bolt.Store
	prov   *Provisioner
	worker *Worker
	val    *fakeValidator
	auth   *authority.Authority
}

// newTestEnv builds the env; edit may change the ACME provisioner's JSON.
func newTestEnv(t *testing.T, edit func(prov map[string]any)) *testEnv {
	t.Helper()
	paths, pw := sharedPKI(t)
	cfg, err := config.Load(paths.CAConfig())
	if err != nil {
		t.Fatal(err)
	}
	idx := acmeIndex(t, cfg)
	if edit != nil {
		var m map[string]any
		json.Unmarshal(cfg.Authority.Provisioners[idx].Raw(), &m)
		edit(m)
		b, _ := json.Marshal(m)
		if err := json.Unmarshal(b, &cfg.Authority.Provisioners[idx]); err != nil {
			t.Fatal(err)
		}
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
	a, err := authority.New(authority.Options{Config: cfg, Roots: roots, Intermediates: inters, Signer: key,
		Provisioners: provs, Store: store, BasePath: paths.Authority})
	if err != nil {
		t.Fatal(err)
	}
	pp, _ := provs.ByName("acme")
	prov, err := NewProvisioner(pp.ID(), pp.Config(), pp.Claims())
	if err != nil {
		t.Fatal(err)
	}
	nonceKey := make([]byte, 32)
	rand.Read(nonceKey)
	nonces, _ := NewNonces(nonceKey, store, nil)
	val := &fakeValidator{}
	w := NewWorker(WorkerOptions{Store: store, Validator: val, Poll: 20 * time.Millisecond,
		Backoff: []time.Duration{10 * time.Millisecond, 20 * time.Millisecond}, Timeout: time.Second})
	svc := New(Options{Store: store, Authority: a, Provisioners: []*Provisioner{prov}, Nonces: nonces, Wake: w.Wake})
	return &testEnv{t: t, svc: svc, store: store, prov: prov, worker: w, val: val, auth: a}
}

func acmeIndex(t *testing.T, cfg *config.CAConfig) int {
	for i, p := range cfg.Authority.Provisioners {
		if p.Type() == config.ProvisionerACME {
			return i
		}
	}
	t.Fatal("pki.Create made no ACME provisioner")
	return -1
}

// runWorker runs the validation worker until the test ends.
func (e *testEnv) runWorker() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.worker.Run(ctx); close(done) }()
	e.t.Cleanup(func() { cancel(); <-done })
}

// account creates an account with a fresh P-256 key.
func (e *testEnv) account() (*storage.ACMEAccount, crypto.Signer) {
	e.t.Helper()
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	jwk := gojose.JSONWebKey{Key: k.Public()}
	b, _ := json.Marshal(jwk)
	sum, _ := jwk.Thumbprint(crypto.SHA256)
	acct, created, err := e.svc.NewAccount(context.Background(), e.prov, NewAccountRequest{
		Contact: []string{"mailto:ops@example.com"}, Key: b, KeyID: base64.RawURLEncoding.EncodeToString(sum)})
	if err != nil || !created {
		e.t.Fatalf("new account: %v (created %v)", err, created)
	}
	return acct, k
}

// order creates an order for dns names.
func (e *testEnv) order(acct *storage.ACMEAccount, names ...string) *storage.ACMEOrder {
	e.t.Helper()
	var ids []Identifier
	for _, n := range names {
		typ := IdentifierDNS
		if net.ParseIP(n) != nil {
			typ = IdentifierIP
		}
		ids = append(ids, Identifier{Type: typ, Value: n})
	}
	o, err := e.svc.NewOrder(context.Background(), e.prov, acct, NewOrderRequest{Identifiers: ids})
	if err != nil {
		e.t.Fatalf("new order %v: %v", names, err)
	}
	return o
}

// validateAll answers the first challenge of each authorization of o and
// waits until every authorization left pending.
func (e *testEnv) validateAll(acct *storage.ACMEAccount, o *storage.ACMEOrder) {
	e.t.Helper()
	ctx := context.Background()
	for _, id := range o.AuthzIDs {
		a, _ := e.svc.Authz(ctx, acct, id)
		if _, _, err := e.svc.RespondChallenge(ctx, acct, id, a.Challenges[0].ID); err != nil {
			e.t.Fatal(err)
		}
	}
	for _, id := range o.AuthzIDs {
		e.waitAuthz(acct, id)
	}
}

// waitAuthz waits until authorization id is no longer pending.
func (e *testEnv) waitAuthz(acct *storage.ACMEAccount, id string) *storage.ACMEAuthz {
	e.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		a, err := e.svc.Authz(context.Background(), acct, id)
		if err != nil {
			e.t.Fatal(err)
		}
		if a.Status != string(StatusPending) {
			return a
		}
		time.Sleep(10 * time.Millisecond)
	}
	e.t.Fatalf("authorization %s still pending", id)
	return nil
}

// csr makes a CSR DER for names (CN = cn) with a fresh key.
func csr(t *testing.T, cn string, names ...string) []byte {
	t.Helper()
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	return csrWithKey(t, k, cn, names...)
}

func csrWithKey(t *testing.T, k crypto.Signer, cn string, names ...string) []byte {
	t.Helper()
	tmpl := &x509.CertificateRequest{Subject: pkix.Name{CommonName: cn}}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, tmpl, k)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// wantProblem asserts err is a Problem of type want.
func wantProblem(t *testing.T, err error, want ProblemType) *Problem {
	t.Helper()
	var p *Problem
	if !errors.As(err, &p) {
		t.Fatalf("error %v, want a %s problem", err, want)
	}
	if p.Type != want {
		t.Fatalf("problem %s (%s), want %s", p.Type, p.Detail, want)
	}
	return p
}

// fakeValidator answers from a script: results are returned in turn for
// every call (then the last one forever); no script means success.
type fakeValidator struct {
	mu      sync.Mutex
	results []error
	calls   []string
}

func (f *fakeValidator) next(call string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, call)
	if len(f.results) == 0 {
		return nil
	}
	err := f.results[0]
	if len(f.results) > 1 {
		f.results = f.results[1:]
	}
	return err
}

func (f *fakeValidator) script(errs ...error) {
	f.mu.Lock()
	f.results = errs
	f.mu.Unlock()
}

func (f *fakeValidator) callCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

func (f *fakeValidator) HTTP01(_ context.Context, typ, value, token, keyAuth string) error {
	return f.next("http-01 " + value + " " + keyAuth)
}

func (f *fakeValidator) DNS01(_ context.Context, domain, keyAuth string) error {
	sum := sha256.Sum256([]byte(keyAuth))
	return f.next("dns-01 " + domain + " " + base64.RawURLEncoding.EncodeToString(sum[:]))
}

func (f *fakeValidator) TLSALPN01(_ context.Context, typ, value, keyAuth string) error {
	return f.next("tls-alpn-01 " + value)
}

func (f *fakeValidator) CAA(_ context.Context, domain string, wildcard bool, issuers []string) error {
	return f.next("caa " + domain)
}

func certKey(t *testing.T, der []byte) crypto.PublicKey {
	t.Helper()
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c.PublicKey
}

func (f *fakeValidator) firstCall() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.calls) == 0 {
		return ""
	}
	return f.calls[0]
}

// testPKI is the package's one PKI (pkitest: created once, removed by TestMain).
var testPKI = pkitest.Shared{Name: "Unit"}

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
