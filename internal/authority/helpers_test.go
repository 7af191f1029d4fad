package authority

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/stride-pki/stride/internal/caerr"
	"github.com/stride-pki/stride/internal/config"
	"github.com/stride-pki/stride/internal/jose"
	"github.com/stride-pki/stride/internal/keys"
	"github.com/stride-pki/stride/internal/pemutil"
	"github.com/stride-pki/stride/internal/pki"
	"github.com/stride-pki/stride/internal/provisioner"
	"github.com/stride-pki/stride/internal/storage/bolt"
)

// testCA is an authority over a fresh PKI (made by pki.Create, as `ca init`
// makes it) and a real bbolt store.
type testCA struct {
	t     testing.TB
	a     *Authority
	cfg   *config.CAConfig
	jwk   *jose.JSONWebKey // the provisioner's private key
	prov  string
	store *bolt.Store
	paths config.Paths
}

const testURL = "https://ca.internal:9443"

// newTestCA builds a CA; edit may change the provisioner's JSON (claims,
// policy, options) and the authority section before the authority is built.
func newTestCA(t testing.TB, edit func(prov map[string]any, auth *config.Authority)) *testCA {
	t.Helper()
	paths := config.SinglePaths(filepath.Join(t.TempDir(), "stride"))
	pw := []byte("pw")
	if _, err := pki.Create(paths, pki.Options{Name: "Unit", DNSNames: []string{"ca.internal"}, Address: ":9443",
		Provisioner: "admin", Password: pw, DeploymentType: "standalone"}); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(paths.CAConfig())
	if err != nil {
		t.Fatal(err)
	}
	jf, _ := cfg.Authority.Provisioners[0].JWK()
	priv, err := jose.DecryptJWK(jf.EncryptedKey, pw)
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		var m map[string]any
		json.Unmarshal(cfg.Authority.Provisioners[0].Raw(), &m)
		edit(m, cfg.Authority)
		b, _ := json.Marshal(m)
		var p config.Provisioner
		if err := json.Unmarshal(b, &p); err != nil {
			t.Fatal(err)
		}
		cfg.Authority.Provisioners[0] = p
	}
	store, err := bolt.Open(filepath.Join(paths.DBDir(), "test.db"), bolt.Options{})
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
		DNSNames: cfg.DNSNames, AuthorityClaims: cfg.Authority.Claims, StartTime: time.Now().Add(-time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(Options{Config: cfg, Roots: roots, Intermediates: inters, Signer: key, Provisioners: provs,
		Store: store, BasePath: paths.Authority})
	if err != nil {
		t.Fatal(err)
	}
	return &testCA{t: t, a: a, cfg: cfg, jwk: priv, prov: "admin", store: store, paths: paths}
}

// token mints a JWK one-time token the way `step ca token` does.
func (c *testCA) token(sub string, sans []string, aud string, mutate func(map[string]any)) string {
	c.t.Helper()
	now := time.Now()
	jti := make([]byte, 32)
	rand.Read(jti)
	claims := map[string]any{"iss": c.prov, "sub": sub, "aud": testURL + aud, "iat": now.Unix(), "nbf": now.Unix(),
		"exp": now.Add(5 * time.Minute).Unix(), "jti": hex.EncodeToString(jti)}
	if sans != nil {
		claims["sans"] = sans
	}
	if mutate != nil {
		mutate(claims)
	}
	tok, err := jose.SignJWT(c.jwk, claims, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return tok
}

func (c *testCA) csr(cn string, dns ...string) (*x509.CertificateRequest, crypto.Signer) {
	c.t.Helper()
	k, _ := keys.Generate("EC", "P-256", 0)
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: cn}, DNSNames: dns}, k)
	if err != nil {
		c.t.Fatal(err)
	}
	csr, _ := x509.ParseCertificateRequest(der)
	return csr, k
}

// sign issues a certificate for name through the JWK provisioner.
func (c *testCA) sign(name string) (*Issued, crypto.Signer) {
	c.t.Helper()
	csr, k := c.csr(name, name)
	iss, err := c.a.Sign(context.Background(), SignRequest{CSR: csr, OTT: c.token(name, []string{name}, "/1.0/sign", nil)})
	if err != nil {
		c.t.Fatal(err)
	}
	return iss, k
}

// wantErr asserts err's kind and requester-facing message.
func wantErr(t *testing.T, err error, kind caerr.Kind, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %v %q", kind, msg)
	}
	if got := caerr.KindOf(err); got != kind {
		t.Fatalf("kind %v (%v), want %v", got, err, kind)
	}
	if got := caerr.Message(err); msg != "" && got != msg {
		t.Fatalf("message %q, want %q", got, msg)
	}
}
