package api

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/json"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stride-pki/stride/internal/authority"
	"github.com/stride-pki/stride/internal/config"
	"github.com/stride-pki/stride/internal/pemutil"
)

// testPKI is a root, an intermediate, a leaf issued by a provisioner named
// "jwk-prov" and a CSR, made once per test binary.
type testPKI struct {
	root, federated, intermediate, leaf *x509.Certificate
	csrPEM                              string
}

var (
	pkiOnce sync.Once
	pkiVal  testPKI
)

func newKey(t testing.TB) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func makeCert(t testing.TB, tmpl, parent *x509.Certificate, pub, priv any) *x509.Certificate {
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, priv)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func caTemplate(cn string, serial int64) *x509.Certificate {
	return &x509.Certificate{
		SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
}

func pki(t testing.TB) testPKI {
	pkiOnce.Do(func() {
		rk, fk, ik, lk := newKey(t), newKey(t), newKey(t), newKey(t)
		rt := caTemplate("Test Root", 1)
		pkiVal.root = makeCert(t, rt, rt, &rk.PublicKey, rk)
		ft := caTemplate("Federated Root", 2)
		pkiVal.federated = makeCert(t, ft, ft, &fk.PublicKey, fk)
		pkiVal.intermediate = makeCert(t, caTemplate("Test Intermediate", 3), pkiVal.root, &ik.PublicKey, rk)
		ext, err := asn1.Marshal(struct {
			Type         int
			Name         []byte
			CredentialID []byte
		}{1, []byte("jwk-prov"), []byte("kid-1")})
		if err != nil {
			t.Fatal(err)
		}
		lt := &x509.Certificate{
			SerialNumber: big.NewInt(31), Subject: pkix.Name{CommonName: "leaf.example"},
			DNSNames:  []string{"leaf.example"},
			NotBefore: time.Now().Add(-time.Minute), NotAfter: time.Now().Add(time.Hour),
			ExtraExtensions: []pkix.Extension{{Id: oidProvisioner, Value: ext}},
		}
		pkiVal.leaf = makeCert(t, lt, pkiVal.intermediate, &lk.PublicKey, ik)
		csr, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
			Subject: pkix.Name{CommonName: "leaf.example"}, DNSNames: []string{"leaf.example"},
		}, lk)
		if err != nil {
			t.Fatal(err)
		}
		parsed, _ := x509.ParseCertificateRequest(csr)
		pkiVal.csrPEM = string(pemutil.EncodeCSR(parsed))
	})
	return pkiVal
}

// fakeAuthority records what the handlers pass and answers what the test
// sets. It is test-only: production code has no mocks.
type fakeAuthority struct {
	p       testPKI
	noInts  bool
	err     error  // returned by every call that can fail
	panicIn string // method name that panics
	provs   []config.Provisioner
	next    string
	keys    map[string]string
	tlsOpts *config.TLS

	mu        sync.Mutex
	gotSign   authority.SignRequest
	gotPeer   *x509.Certificate
	gotToken  string
	gotCSR    *x509.CertificateRequest
	gotRevoke authority.RevokeRequest
	gotCursor string
	gotLimit  int
	calls     []string
}

func (f *fakeAuthority) call(name string) {
	f.mu.Lock()
	f.calls = append(f.calls, name)
	f.mu.Unlock()
	if f.panicIn == name {
		panic("boom in " + name)
	}
}

func (f *fakeAuthority) issued() (*authority.Issued, error) {
	if f.err != nil {
		return nil, f.err
	}
	return &authority.Issued{Certificate: f.p.leaf, Intermediates: []*x509.Certificate{f.p.intermediate}}, nil
}

func (f *fakeAuthority) Sign(_ context.Context, req authority.SignRequest) (*authority.Issued, error) {
	f.call("Sign")
	f.gotSign = req
	return f.issued()
}

func (f *fakeAuthority) Renew(_ context.Context, peer *x509.Certificate) (*authority.Issued, error) {
	f.call("Renew")
	f.gotPeer = peer
	return f.issued()
}

func (f *fakeAuthority) RenewWithToken(_ context.Context, token string) (*authority.Issued, error) {
	f.call("RenewWithToken")
	f.gotToken = token
	return f.issued()
}

func (f *fakeAuthority) Rekey(_ context.Context, peer *x509.Certificate, csr *x509.CertificateRequest) (*authority.Issued, error) {
	f.call("Rekey")
	f.gotPeer, f.gotCSR = peer, csr
	return f.issued()
}

func (f *fakeAuthority) Revoke(_ context.Context, req authority.RevokeRequest) error {
	f.call("Revoke")
	f.gotRevoke = req
	return f.err
}

func (f *fakeAuthority) Roots() []*x509.Certificate { return []*x509.Certificate{f.p.root} }
func (f *fakeAuthority) FederatedRoots() []*x509.Certificate {
	return []*x509.Certificate{f.p.federated, f.p.root}
}

func (f *fakeAuthority) Intermediates() []*x509.Certificate {
	if f.noInts {
		return nil
	}
	return []*x509.Certificate{f.p.intermediate}
}

func (f *fakeAuthority) Provisioners(_ context.Context, cursor string, limit int) ([]config.Provisioner, string, error) {
	f.call("Provisioners")
	f.gotCursor, f.gotLimit = cursor, limit
	return f.provs, f.next, f.err
}

func (f *fakeAuthority) EncryptedKey(_ context.Context, kid string) (string, error) {
	f.call("EncryptedKey")
	if f.err != nil {
		return "", f.err
	}
	return f.keys[kid], nil
}

func (f *fakeAuthority) TLSOptions() *config.TLS { return f.tlsOpts }

// server builds the API over f with a JSON request log captured in logs.
func server(t testing.TB, f *fakeAuthority, opts Options) (http.Handler, *syncBuffer) {
	t.Helper()
	if f.p.root == nil {
		f.p = pki(t)
	}
	logs := &syncBuffer{}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewJSONHandler(logs, nil))
	}
	if opts.Version == "" {
		opts.Version = "v0.30.2"
	}
	return New(f, opts), logs
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// do serves one request; peer, when set, is presented as the mTLS client
// certificate.
func do(h http.Handler, method, path, body string, peer *x509.Certificate, hdr ...string) *httptest.ResponseRecorder {
	var rd *bytes.Reader
	if body != "" {
		rd = bytes.NewReader([]byte(body))
	}
	var req *http.Request
	if rd != nil {
		req = httptest.NewRequest(method, path, rd)
	} else {
		req = httptest.NewRequest(method, path, nil)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	if peer != nil {
		req.TLS = &tls.ConnectionState{PeerCertificates: []*x509.Certificate{peer}}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func decode(t testing.TB, rec *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		t.Fatalf("body %q is not a JSON object: %v", rec.Body.String(), err)
	}
	return m
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// canon re-marshals JSON with sorted members, for order-free comparison.
func canon(t testing.TB, s string) string {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatal(err)
	}
	return mustJSON(v)
}
