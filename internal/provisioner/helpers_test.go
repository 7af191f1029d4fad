package provisioner

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"testing"
	"time"

	gojose "github.com/go-jose/go-jose/v4"

	"github.com/stride-pki/stride/internal/caerr"
	"github.com/stride-pki/stride/internal/config"
	"github.com/stride-pki/stride/internal/jose"
)

var testNow = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

const (
	caURL    = "https://ca.example.com:9000"
	jwkName  = "admin@example.com"
	x5cName  = "x5c-prov"
	testSub  = "www.example.com"
	testJTI  = "5f2c0d1e8e4a4b3e9a1c7d6b2f0e9c8a7b6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f"
	encrypts = "ENCRYPTED-KEY"
)

// fixture is one CA's provisioners and the keys that mint their tokens.
type fixture struct {
	jwkKey  *ecdsa.PrivateKey
	kid     string
	x5cRoot *testCA
	x5cLeaf *x509.Certificate
	x5cKey  *ecdsa.PrivateKey
	coll    *Collection
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// newFixture builds a collection of a JWK, an X5C and three listed
// provisioners, with the CA started ten minutes before testNow.
func newFixture(t testing.TB, edit ...func(*Options)) *fixture {
	t.Helper()
	f := &fixture{jwkKey: newKey(t), x5cRoot: newTestCA(t, "X5C Root")}
	priv, err := jose.NewJWK(f.jwkKey)
	if err != nil {
		t.Fatal(err)
	}
	f.kid = priv.KeyID
	pubJSON, err := json.Marshal(jose.Public(priv))
	if err != nil {
		t.Fatal(err)
	}
	f.x5cKey = newKey(t)
	f.x5cLeaf = f.x5cRoot.issue(t, "client", f.x5cKey.Public(), x509.KeyUsageDigitalSignature, x509.ExtKeyUsageClientAuth)
	provs := []config.Provisioner{
		mustProv(t, config.ProvisionerCommon{Type: "JWK", Name: jwkName}, config.JWKFields{Key: pubJSON, EncryptedKey: encrypts}),
		mustProv(t, config.ProvisionerCommon{Type: "x5c", Name: x5cName}, config.X5CFields{Roots: f.x5cRoot.pem()}),
		mustProv(t, config.ProvisionerCommon{Type: "ACME", Name: "acme"}),
		mustProv(t, config.ProvisionerCommon{Type: "SSHPOP", Name: "sshpop"}),
		mustProv(t, config.ProvisionerCommon{Type: "OIDC", Name: "google"}, map[string]string{"clientID": "client-id"}),
	}
	opts := Options{
		DNSNames:  []string{"ca.example.com", "::1"},
		StartTime: testNow.Add(-10 * time.Minute),
		Now:       func() time.Time { return testNow },
	}
	for _, e := range edit {
		e(&opts)
	}
	if f.coll, err = NewCollection(provs, opts); err != nil {
		t.Fatal(err)
	}
	return f
}

func mustProv(t testing.TB, views ...any) config.Provisioner {
	t.Helper()
	p, err := config.NewProvisioner(views...)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// claims are the claims `step ca token` writes for a sign token.
func signClaims(iss, aud string) map[string]any {
	return map[string]any{
		"iss": iss, "sub": testSub, "aud": aud,
		"nbf": testNow.Add(-10 * time.Second).Unix(), "iat": testNow.Add(-10 * time.Second).Unix(),
		"exp": testNow.Add(5 * time.Minute).Unix(), "jti": testJTI,
		"sans": []string{testSub}, "sha": "00ff",
	}
}

// mint signs payload (a claims map, or raw bytes used as they are) into a
// compact JWS with typ JWT and the given extra protected headers.
func mint(t testing.TB, alg gojose.SignatureAlgorithm, key any, hdr map[string]any, payload any) string {
	t.Helper()
	jws := sign(t, alg, key, hdr, payload)
	tok, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func sign(t testing.TB, alg gojose.SignatureAlgorithm, key any, hdr map[string]any, payload any) *gojose.JSONWebSignature {
	t.Helper()
	opts := (&gojose.SignerOptions{}).WithType("JWT")
	for k, v := range hdr {
		opts = opts.WithHeader(gojose.HeaderKey(k), v)
	}
	s, err := gojose.NewSigner(gojose.SigningKey{Algorithm: alg, Key: key}, opts)
	if err != nil {
		t.Fatal(err)
	}
	b, ok := payload.([]byte)
	if !ok {
		if b, err = json.Marshal(payload); err != nil {
			t.Fatal(err)
		}
	}
	jws, err := s.Sign(b)
	if err != nil {
		t.Fatal(err)
	}
	return jws
}

// jwkToken is a sign token of the fixture's JWK provisioner after edit.
func (f *fixture) jwkToken(t testing.TB, edit func(map[string]any)) string {
	c := signClaims(jwkName, caURL+"/1.0/sign")
	if edit != nil {
		edit(c)
	}
	return mint(t, gojose.ES256, f.jwkKey, map[string]any{"kid": f.kid}, c)
}

// x5cToken is a sign token of the X5C provisioner signed by key with chain.
func (f *fixture) x5cToken(t testing.TB, key crypto.Signer, chain []*x509.Certificate, edit func(map[string]any)) string {
	c := signClaims(x5cName, caURL+"/1.0/sign#x5c/"+x5cName)
	if edit != nil {
		edit(c)
	}
	return mint(t, gojose.ES256, key, map[string]any{"x5c": chainHeader(chain)}, c)
}

func chainHeader(chain []*x509.Certificate) []string {
	out := make([]string, len(chain))
	for i, c := range chain {
		out[i] = base64.StdEncoding.EncodeToString(c.Raw)
	}
	return out
}

// testCA is a self-signed root that issues leaves.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

func newTestCA(t testing.TB, cn string) *testCA {
	t.Helper()
	key := newKey(t)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn},
		NotBefore: testNow.Add(-24 * time.Hour), NotAfter: testNow.Add(10 * 365 * 24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	return &testCA{cert: createCert(t, tmpl, tmpl, key.Public(), key), key: key}
}

func (ca *testCA) issue(t testing.TB, cn string, pub crypto.PublicKey, ku x509.KeyUsage, eku ...x509.ExtKeyUsage) *x509.Certificate {
	return ca.issueAt(t, cn, pub, testNow.Add(-time.Hour), testNow.Add(time.Hour), ku, eku...)
}

func (ca *testCA) issueAt(t testing.TB, cn string, pub crypto.PublicKey, nb, na time.Time, ku x509.KeyUsage, eku ...x509.ExtKeyUsage) *x509.Certificate {
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: nb, NotAfter: na, KeyUsage: ku, ExtKeyUsage: eku, DNSNames: []string{cn},
	}
	return createCert(t, tmpl, ca.cert, pub, ca.key)
}

func (ca *testCA) pem() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.cert.Raw})
}

func (ca *testCA) pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.cert)
	return p
}

func createCert(t testing.TB, tmpl, parent *x509.Certificate, pub crypto.PublicKey, key crypto.Signer) *x509.Certificate {
	t.Helper()
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// wantErr checks err against an expected kind and message; an empty
// message means success is expected.
func wantErr(t *testing.T, err error, kind caerr.Kind, msg string) {
	t.Helper()
	if msg == "" {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("no error, want %v %q", kind, msg)
	}
	if caerr.KindOf(err) != kind || caerr.Message(err) != msg {
		t.Fatalf("got %v %q (%v), want %v %q", caerr.KindOf(err), caerr.Message(err), err, kind, msg)
	}
}

// publicJWK is a fresh public JWK as ca.json holds it.
func publicJWK(t testing.TB) json.RawMessage {
	t.Helper()
	priv, err := jose.NewJWK(newKey(t))
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(jose.Public(priv))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
