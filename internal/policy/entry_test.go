package policy

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"net"
	"testing"
	"time"

	"github.com/stride-pki/stride/internal/config"
)

// TestEntryPoints drives the public methods with real certificates, CSRs
// and untyped names, so the plumbing from each input to the engine is covered.
func TestEntryPoints(t *testing.T) {
	p, err := NewX509Policy(&config.X509Policy{
		Allow: &config.X509Names{DNSDomains: strs("*.example.com"), IPRanges: strs("10.0.0.0/8")},
		Deny:  &config.X509Names{DNSDomains: strs("bad.example.com")},
	})
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	cert := func(cn string, dns ...string) *x509.Certificate {
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn},
			DNSNames: dns, NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			t.Fatal(err)
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	csr := func(cn string, dns ...string) *x509.CertificateRequest {
		der, err := x509.CreateCertificateRequest(rand.Reader,
			&x509.CertificateRequest{Subject: pkix.Name{CommonName: cn}, DNSNames: dns}, key)
		if err != nil {
			t.Fatal(err)
		}
		c, err := x509.ParseCertificateRequest(der)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"certificate allowed", p.AreCertificateNamesAllowed(cert("www.example.com", "www.example.com")), ""},
		{"certificate CN refused", p.AreCertificateNamesAllowed(cert("evil.com", "www.example.com")), `dns name "evil.com" not allowed`},
		{"certificate SAN denied", p.AreCertificateNamesAllowed(cert("", "bad.example.com")), `dns name "bad.example.com" not allowed`},
		{"CSR allowed", p.AreCSRNamesAllowed(csr("a.example.com", "b.example.com")), ""},
		{"CSR refused", p.AreCSRNamesAllowed(csr("a.example.com", "example.com")), `dns name "example.com" not allowed`},
		{"SANs classified: ip", p.AreSANsAllowed(strs("a.example.com", "10.1.1.1")), ""},
		{"SANs classified: ip refused", p.AreSANsAllowed(strs("192.168.0.1")), `ip name "192.168.0.1" not allowed`},
		{"SANs classified: email", p.AreSANsAllowed(strs("x@example.com")), `email name "x@example.com" not allowed`},
		{"SANs classified: uri", p.AreSANsAllowed(strs("https://a.example.com")), `uri name "https://a.example.com" not allowed`},
		{"ACME dns identifier", p.IsDNSAllowed("a.example.com"), ""},
		{"ACME dns identifier refused", p.IsDNSAllowed("a.example.org"), `dns name "a.example.org" not allowed`},
		{"ACME ip identifier", p.IsIPAllowed(net.ParseIP("10.0.0.1")), ""},
		{"ACME ip identifier refused", p.IsIPAllowed(net.ParseIP("::1")), `ip name "::1" not allowed`},
		{"broken net.IP refused", p.IsIPAllowed(net.IP{1, 2, 3}), `ip name "?010203" not allowed`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { checkErr(t, tc.err, tc.want, 0) })
	}
}

func TestNilPolicies(t *testing.T) {
	var x *X509Policy
	var s *SSHPolicy
	if err := x.AreSANsAllowed(strs("*.anything")); err != nil {
		t.Errorf("nil X509Policy: %v", err)
	}
	if err := x.IsDNSAllowed("x"); err != nil {
		t.Errorf("nil X509Policy: %v", err)
	}
	if err := s.IsSSHCertificateAllowed(SSHHostCert, nil); err != nil {
		t.Errorf("nil SSHPolicy: %v", err)
	}
	p, err := NewX509Policy(nil)
	if err != nil || p.AreSANsAllowed(strs("x")) != nil {
		t.Errorf("NewX509Policy(nil) = %v, %v; want an allow-all policy", p, err)
	}
}

func TestNamePolicyErrorDetail(t *testing.T) {
	p, _ := NewX509Policy(allow(config.X509Names{DNSDomains: strs("example.com")}))
	err := p.IsDNSAllowed("a..b")
	var npe *NamePolicyError
	if !errors.As(err, &npe) {
		t.Fatalf("got %T", err)
	}
	want := `dns name "a..b" not allowed: cannot be parsed: empty label (leading, trailing or double dot)`
	if got := npe.Detail(); got != want {
		t.Fatalf("Detail() = %q, want %q", got, want)
	}
	if npe.Type != DNS || npe.Name != "a..b" || npe.Reason != Malformed || errors.Unwrap(err) == nil {
		t.Fatalf("fields: %+v", npe)
	}
}
