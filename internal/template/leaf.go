package template

import (
	"crypto"
	"crypto/rsa"
	"crypto/x509"
)

// LeafCertificate is what LeafTemplate renders for subject, sans and a key of
// pub, built directly: the CA's default path skips text/template and the JSON
// round trip, a twentieth of an issuance's cost. TestLeafCertificate keeps
// the two equal.
func LeafCertificate(subject Subject, sans []SubjectAlternativeName, pub crypto.PublicKey) *Certificate {
	ku := KeyUsage(x509.KeyUsageDigitalSignature)
	if _, ok := pub.(*rsa.PublicKey); ok {
		ku |= KeyUsage(x509.KeyUsageKeyEncipherment)
	}
	return &Certificate{
		Subject:     subject,
		SANs:        sans,
		KeyUsage:    ku,
		ExtKeyUsage: ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
}
