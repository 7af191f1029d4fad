package authority

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"io"
	"math/big"
	"net"
	"net/url"
	"testing"
	"time"

	"github.com/stride-pki/stride/internal/template"
)

// TestCreateCertificateMatches: createCertificate returns what
// x509.CreateCertificate returns for the same template, issuer and key.
// With deterministic signatures (Ed25519, RSA PKCS #1 v1.5) the whole DER
// must be equal; with randomised ones (ECDSA, RSA-PSS) the TBSCertificate and
// the signature algorithm must be, the certificate must verify, and the
// assembly must rebuild CreateCertificate's own DER from its TBS and
// signature.
func TestCreateCertificateMatches(t *testing.T) {
	for _, iss := range testIssuers(t) {
		for _, tc := range certTemplates(t) {
			t.Run(iss.name+"/"+tc.name, func(t *testing.T) {
				tmpl := *tc.tmpl
				tmpl.SignatureAlgorithm = iss.alg
				want, err := x509.CreateCertificate(rand.Reader, &tmpl, iss.cert, tc.pub, iss.key)
				if err != nil {
					t.Fatal(err)
				}
				got, err := createCertificate(&tmpl, iss.cert, tc.pub, iss.key)
				if err != nil {
					t.Fatal(err)
				}
				compareCertificates(t, got, want, iss.cert, iss.deterministic)
			})
		}
	}
}

func compareCertificates(t *testing.T, got, want []byte, parent *x509.Certificate, deterministic bool) {
	t.Helper()
	if deterministic && !bytes.Equal(got, want) {
		t.Fatalf("DER differs:\n got %x\nwant %x", got, want)
	}
	g, err := x509.ParseCertificate(got)
	if err != nil {
		t.Fatal(err)
	}
	w, _ := x509.ParseCertificate(want)
	if !bytes.Equal(g.RawTBSCertificate, w.RawTBSCertificate) {
		t.Fatalf("TBS differs:\n got %x\nwant %x", g.RawTBSCertificate, w.RawTBSCertificate)
	}
	if g.SignatureAlgorithm != w.SignatureAlgorithm {
		t.Fatalf("signature algorithm %v, want %v", g.SignatureAlgorithm, w.SignatureAlgorithm)
	}
	if err := g.CheckSignatureFrom(parent); err != nil {
		t.Fatal(err)
	}
	if rebuilt, ok := assembleCertificate(w.RawTBSCertificate, w.Signature); !ok || !bytes.Equal(rebuilt, want) {
		t.Fatalf("assembly of CreateCertificate's TBS and signature differs from its DER")
	}
}

type testIssuer struct {
	name          string
	key           crypto.Signer
	alg           x509.SignatureAlgorithm // 0: the key's default
	cert          *x509.Certificate
	deterministic bool
}

func testIssuers(t *testing.T) []testIssuer {
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	p521, _ := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	out := []testIssuer{
		{name: "p256", key: p256}, {name: "p384", key: p384}, {name: "p521", key: p521},
		{name: "ed25519", key: ed, deterministic: true},
		{name: "rsa", key: rk, deterministic: true},
		{name: "rsa-sha512", key: rk, alg: x509.SHA512WithRSA, deterministic: true},
		{name: "rsa-pss", key: rk, alg: x509.SHA256WithRSAPSS},
		{name: "p256-sha384", key: p256, alg: x509.ECDSAWithSHA384},
	}
	for i := range out {
		ca := &x509.Certificate{
			SerialNumber: big.NewInt(int64(i + 1)), Subject: pkix.Name{CommonName: "Issuer " + out[i].name, Organization: []string{"Stride"}},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
			IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		}
		der, err := x509.CreateCertificate(rand.Reader, ca, ca, out[i].key.Public(), out[i].key)
		if err != nil {
			t.Fatal(err)
		}
		out[i].cert, _ = x509.ParseCertificate(der)
	}
	return out
}

type certTemplate struct {
	name string
	tmpl *x509.Certificate
	pub  crypto.PublicKey
}

// certTemplates covers what a template can set: every SAN kind, key usages,
// extended key usages (known and not), the provisioner extension and other
// extra extensions, CRL distribution points and AIA, policies, name
// constraints, CA leaves, an empty subject, and EC, RSA and Ed25519 subject
// keys.
func certTemplates(t *testing.T) []certTemplate {
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	rk, _ := rsa.GenerateKey(rand.Reader, 2048)
	edPub, _, _ := ed25519.GenerateKey(rand.Reader)
	nb := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	base := func() *x509.Certificate {
		serial, _ := new(big.Int).SetString("1234567890123456789012345678901234567", 10)
		return &x509.Certificate{SerialNumber: serial, NotBefore: nb, NotAfter: nb.Add(24 * time.Hour),
			Subject: pkix.Name{CommonName: "host.example"}, DNSNames: []string{"host.example"},
			KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}}
	}
	with := func(f func(c *x509.Certificate)) *x509.Certificate { c := base(); f(c); return c }
	u, _ := url.Parse("spiffe://example.org/svc")
	provExt := with(func(c *x509.Certificate) {
		if err := template.SetProvisionerExtension(c, template.ProvisionerExtension{
			Type: template.ProvisionerTypeJWK, Name: "bench", CredentialID: "kid"}); err != nil {
			t.Fatal(err)
		}
	})
	return []certTemplate{
		{"leaf", base(), ec.Public()},
		{"rsa subject key", base(), rk.Public()},
		{"ed25519 subject key", base(), edPub},
		{"provisioner extension", provExt, ec.Public()},
		{"all san kinds", with(func(c *x509.Certificate) {
			c.DNSNames = []string{"a.example", "b.example"}
			c.IPAddresses = []net.IP{net.ParseIP("10.0.0.1"), net.ParseIP("2001:db8::1")}
			c.EmailAddresses = []string{"ops@example.com"}
			c.URIs = []*url.URL{u}
		}), ec.Public()},
		{"empty subject", with(func(c *x509.Certificate) { c.Subject = pkix.Name{} }), ec.Public()},
		{"full subject", with(func(c *x509.Certificate) {
			c.Subject = pkix.Name{CommonName: "x", Country: []string{"NL"}, Organization: []string{"O"},
				OrganizationalUnit: []string{"U1", "U2"}, Locality: []string{"L"}, Province: []string{"P"},
				StreetAddress: []string{"S"}, PostalCode: []string{"1234"}, SerialNumber: "42",
				ExtraNames: []pkix.AttributeTypeAndValue{{Type: asn1.ObjectIdentifier{2, 5, 4, 65}, Value: "pseudo"}}}
		}), ec.Public()},
		{"crl and aia", with(func(c *x509.Certificate) {
			c.CRLDistributionPoints = []string{"http://crl.example/ca.crl"}
			c.OCSPServer = []string{"http://ocsp.example"}
			c.IssuingCertificateURL = []string{"http://ca.example/ca.crt"}
		}), ec.Public()},
		{"policies and unknown eku", with(func(c *x509.Certificate) {
			c.PolicyIdentifiers = []asn1.ObjectIdentifier{{2, 23, 140, 1, 2, 1}}
			c.UnknownExtKeyUsage = []asn1.ObjectIdentifier{{1, 3, 6, 1, 4, 1, 99999, 1}}
			c.SubjectKeyId = []byte{1, 2, 3, 4}
		}), ec.Public()},
		{"intermediate with constraints", with(func(c *x509.Certificate) {
			c.IsCA, c.BasicConstraintsValid, c.MaxPathLen, c.MaxPathLenZero = true, true, 0, true
			c.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
			c.ExtKeyUsage = nil
			c.PermittedDNSDomainsCritical = true
			c.PermittedDNSDomains = []string{".example"}
			c.ExcludedIPRanges = []*net.IPNet{{IP: net.IP{10, 0, 0, 0}, Mask: net.CIDRMask(8, 32)}}
		}), ec.Public()},
		{"extra critical extension", with(func(c *x509.Certificate) {
			c.ExtraExtensions = append(c.ExtraExtensions, pkix.Extension{
				Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 2}, Critical: true, Value: []byte{5, 0}})
		}), ec.Public()},
	}
}

// TestCreateCertificateCheckedPath: a signer that is not an in-process key
// (an HSM's, say) goes through x509.CreateCertificate's checked path, so a
// bad signature is refused.
func TestCreateCertificateCheckedPath(t *testing.T) {
	iss := testIssuers(t)[0]
	tmpl := certTemplates(t)[0]
	if _, err := createCertificate(tmpl.tmpl, iss.cert, tmpl.pub, opaqueSigner{iss.key}); err != nil {
		t.Fatal(err)
	}
	if _, err := createCertificate(tmpl.tmpl, iss.cert, tmpl.pub, badSigner{iss.key}); err == nil {
		t.Fatal("a signer returning an invalid signature was not caught")
	}
}

type opaqueSigner struct{ crypto.Signer }

type badSigner struct{ crypto.Signer }

func (s badSigner) Sign(r io.Reader, d []byte, o crypto.SignerOpts) ([]byte, error) {
	sig, err := s.Signer.Sign(r, d, o)
	if err == nil {
		sig[len(sig)-1] ^= 1
	}
	return sig, err
}

// TestCreateCertificateStopsAtSignMessage: the fast path is the one taken for
// an in-process key (x509.CreateCertificate signs through SignMessage).
func TestCreateCertificateStopsAtSignMessage(t *testing.T) {
	iss := testIssuers(t)[0]
	tmpl := certTemplates(t)[0]
	c := &tbsCapture{key: iss.key}
	if _, err := x509.CreateCertificate(rand.Reader, tmpl.tmpl, iss.cert, tmpl.pub, c); !errors.Is(err, errCaptured) {
		t.Fatalf("CreateCertificate returned %v, want errCaptured", err)
	}
	if len(c.tbs) == 0 || len(c.sig) == 0 || c.err != nil {
		t.Fatalf("nothing captured: %d %d %v", len(c.tbs), len(c.sig), c.err)
	}
}

// BenchmarkCreateCertificate: x509.CreateCertificate (checked) against
// createCertificate (no re-verification) for a P-256 issuer and leaf.
func BenchmarkCreateCertificate(b *testing.B) {
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "CA"},
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, _ := x509.CreateCertificate(rand.Reader, ca, ca, p256.Public(), p256)
	ca, _ = x509.ParseCertificate(der)
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "leaf"},
		DNSNames: []string{"leaf.example"}, NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
	for _, v := range []struct {
		name string
		fn   func() ([]byte, error)
	}{
		{"checked", func() ([]byte, error) { return x509.CreateCertificate(rand.Reader, leaf, ca, p256.Public(), p256) }},
		{"fast", func() ([]byte, error) { return createCertificate(leaf, ca, p256.Public(), p256) }},
	} {
		b.Run(v.name, func(b *testing.B) {
			b.ReportAllocs()
			cpu0 := cpuTime()
			for b.Loop() {
				if _, err := v.fn(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
		})
	}
}
