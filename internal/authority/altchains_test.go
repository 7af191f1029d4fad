package authority

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"strings"
	"testing"
	"time"
)

// testCert issues a CA certificate for subject/pub signed by parent/key
// (self-signed when parent is nil); rawSubject, when set, is used as is.
func testCert(t *testing.T, cn string, rawSubject []byte, pub crypto.PublicKey, parent *x509.Certificate, key crypto.Signer) *x509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		RawSubject: rawSubject, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
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

func testKey() *ecdsa.PrivateKey {
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	return k
}

// TestCheckAlternateChains: an alternate chain must start with a real
// cross-certificate of the issuing intermediate and chain by signature.
func TestCheckAlternateChains(t *testing.T) {
	rootKey, interKey, otherKey := testKey(), testKey(), testKey()
	root := testCert(t, "Root", nil, rootKey.Public(), nil, rootKey)
	inter := testCert(t, "Intermediate", nil, interKey.Public(), root, rootKey)
	other := testCert(t, "Other Root", nil, otherKey.Public(), nil, otherKey)
	cross := testCert(t, "", inter.RawSubject, interKey.Public(), other, otherKey)
	wrongKey := testCert(t, "", inter.RawSubject, testKey().Public(), other, otherKey)
	wrongName := testCert(t, "Not The Intermediate", nil, interKey.Public(), other, otherKey)

	tests := []struct {
		name   string
		chains [][]*x509.Certificate
		want   string
	}{
		{"none", nil, ""},
		{"cross-certificate alone", [][]*x509.Certificate{{cross}}, ""},
		{"cross-certificate and its root", [][]*x509.Certificate{{cross, other}}, ""},
		{"empty chain", [][]*x509.Certificate{{}}, "empty"},
		{"the intermediate itself", [][]*x509.Certificate{{inter, root}}, "the intermediate itself"},
		{"another key", [][]*x509.Certificate{{wrongKey, other}}, "not a cross-certificate"},
		{"another subject", [][]*x509.Certificate{{wrongName, other}}, "not a cross-certificate"},
		{"not chained", [][]*x509.Certificate{{cross, root}}, "is not signed by"},
		{"second chain bad", [][]*x509.Certificate{{cross}, {wrongKey}}, "acmeAlternateChains[1]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := checkAlternateChains(inter, tc.chains)
			if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
	// And the cross-certificate really is an alternate path for a leaf.
	leafKey := testKey()
	leaf := testCert(t, "leaf", nil, leafKey.Public(), inter, interKey)
	pool, inters := x509.NewCertPool(), x509.NewCertPool()
	pool.AddCert(other)
	inters.AddCert(cross)
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: pool, Intermediates: inters}); err != nil {
		t.Fatalf("leaf via the cross-certificate: %v", err)
	}
}
