package template

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"reflect"
	"testing"
)

// TestLeafCertificate: the built-in leaf built in Go equals the rendered
// LeafTemplate, for EC and RSA keys and for every kind of SAN.
func TestLeafCertificate(t *testing.T) {
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	rk, _ := rsa.GenerateKey(rand.Reader, 2048)
	for name, key := range map[string]crypto.Signer{"ec": ec, "rsa": rk} {
		der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "a"}}, key)
		if err != nil {
			t.Fatal(err)
		}
		csr, _ := x509.ParseCertificateRequest(der)
		data := NewData(`a", "isCA": true, "x": "`, []string{"a.example.com", "10.0.0.1", "me@example.com", "spiffe://x/y"})
		rendered, err := NewCertificate(csr, LeafTemplate, data)
		if err != nil {
			t.Fatal(err)
		}
		direct := LeafCertificate(data[KeySubject].(Subject), data[KeySANs].([]SubjectAlternativeName), csr.PublicKey)
		want, err := rendered.X509(csr.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		got, err := direct.X509(csr.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: direct leaf differs from the rendered one:\n%+v\n%+v", name, got, want)
		}
	}
}
