// Package pki creates a PKI offline: the root and intermediate CA
// certificates and keys, the first JWK provisioner, SSH CA keys, and the
// ca.json and defaults.json that describe them, in step's layout and file
// names. `stride ca init` and `stride-ca --dev` share it.
package pki

import (
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"fmt"
	"math/big"
	"time"
)

// CAValidity is the lifetime of the generated root and intermediate: 10
// years of 365 days, as step's.
const CAValidity = 87600 * time.Hour

// RootName and IntermediateName are the CNs step derives from --name.
func RootName(name string) string         { return name + " Root CA" }
func IntermediateName(name string) string { return name + " Intermediate CA" }

// serialNumber returns a random positive 128-bit serial, well above the 64
// bits of CSPRNG output the Baseline Requirements ask for.
func serialNumber() (*big.Int, error) {
	limit := new(big.Int).Lsh(big.NewInt(1), 128)
	for {
		n, err := rand.Int(rand.Reader, limit)
		if err != nil {
			return nil, fmt.Errorf("generating serial number: %w", err)
		}
		if n.Sign() > 0 {
			return n, nil
		}
	}
}

// caTemplate is the common shape of a CA certificate: KU certSign+crlSign
// (critical), basic constraints CA with the given path length (critical).
func caTemplate(org, cn string, pathLen int, now time.Time) (*x509.Certificate, error) {
	serial, err := serialNumber()
	if err != nil {
		return nil, err
	}
	return &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{Organization: []string{org}, CommonName: cn},
		NotBefore:             now.Truncate(time.Second),
		NotAfter:              now.Truncate(time.Second).Add(CAValidity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLen:            pathLen,
		MaxPathLenZero:        pathLen == 0,
	}, nil
}

// CreateRoot self-signs a root CA certificate (pathlen 1) for key.
func CreateRoot(name string, key crypto.Signer, now time.Time) (*x509.Certificate, error) {
	tmpl, err := caTemplate(name, RootName(name), 1, now)
	if err != nil {
		return nil, err
	}
	return sign(tmpl, tmpl, key.Public(), key)
}

// CreateIntermediate signs an intermediate CA certificate (pathlen 0) for
// pub with the root.
func CreateIntermediate(name string, pub crypto.PublicKey, root *x509.Certificate, rootKey crypto.Signer, now time.Time) (*x509.Certificate, error) {
	tmpl, err := caTemplate(name, IntermediateName(name), 0, now)
	if err != nil {
		return nil, err
	}
	return sign(tmpl, root, pub, rootKey)
}

func sign(tmpl, parent *x509.Certificate, pub crypto.PublicKey, key crypto.Signer) (*x509.Certificate, error) {
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, key)
	if err != nil {
		return nil, fmt.Errorf("signing %q: %w", tmpl.Subject.CommonName, err)
	}
	return x509.ParseCertificate(der)
}

// Fingerprint is the lowercase hex SHA-256 of a certificate's DER, the form
// step prints and `ca bootstrap --fingerprint` takes.
func Fingerprint(c *x509.Certificate) string {
	s := sha256.Sum256(c.Raw)
	return hex.EncodeToString(s[:])
}
