package certcmd

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// run executes `certificate ARGS…` through cobra and returns its output.
func run(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	cmd := New()
	var out, errb bytes.Buffer
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&errb)
	cmd.SilenceErrors = true
	cmd.SilenceUsage = true
	err = cmd.Execute()
	return out.String(), errb.String(), err
}

func readTestdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// testPKI is a root, an intermediate and a leaf made on the fly, for the
// commands whose answer depends on the current time.
type testPKI struct {
	dir                  string
	root, inter, leaf    *x509.Certificate
	rootKey, interKey    crypto.Signer
	rootPath, interPath  string
	leafPath, bundlePath string
}

func newTestPKI(t *testing.T, leafNotBefore, leafNotAfter time.Time) *testPKI {
	t.Helper()
	p := &testPKI{dir: t.TempDir()}
	now := time.Now()
	p.root, p.rootKey = makeCert(t, "Test Root", nil, nil, now.Add(-time.Hour), now.Add(240*time.Hour), true)
	p.inter, p.interKey = makeCert(t, "Test Int", p.root, p.rootKey, now.Add(-time.Hour), now.Add(240*time.Hour), true)
	p.leaf, _ = makeCert(t, "leaf.example.com", p.inter, p.interKey, leafNotBefore, leafNotAfter, false)
	p.rootPath = writePEM(t, p.dir, "root.crt", p.root)
	p.interPath = writePEM(t, p.dir, "int.crt", p.inter)
	p.leafPath = writePEM(t, p.dir, "leaf.crt", p.leaf)
	p.bundlePath = writePEM(t, p.dir, "bundle.crt", p.leaf, p.inter)
	return p
}

func makeCert(t *testing.T, cn string, parent *x509.Certificate, parentKey crypto.Signer, nb, na time.Time, ca bool) (*x509.Certificate, crypto.Signer) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    nb,
		NotAfter:     na,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if ca {
		tmpl.IsCA, tmpl.BasicConstraintsValid = true, true
		tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
		tmpl.ExtKeyUsage = nil
	} else {
		tmpl.DNSNames = []string{cn}
	}
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), parentKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c, key
}

func writePEM(t *testing.T, dir, name string, certs ...*x509.Certificate) string {
	t.Helper()
	var buf bytes.Buffer
	for _, c := range certs {
		_ = pem.Encode(&buf, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	return writeFile(t, dir, name, buf.Bytes())
}

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
