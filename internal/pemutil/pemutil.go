// Package pemutil reads and writes the PEM and DER forms Stride shares with
// step and openssl: certificates, bundles, CSRs, public keys and private keys,
// including encrypted private keys. It writes encrypted keys as PKCS#8
// "ENCRYPTED PRIVATE KEY" (PBES2, PBKDF2-SHA256, AES-256-CBC) and reads both
// that and the legacy RFC 1423 form ("Proc-Type: 4,ENCRYPTED") that step
// writes. It is a leaf package.
package pemutil

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"strings"
)

// Errors a caller can act on.
var (
	// ErrPasswordRequired is returned when a key is encrypted and no password was given.
	ErrPasswordRequired = errors.New("the private key is encrypted: a password is required")
	// ErrWrongPassword is returned when a password does not decrypt a key.
	ErrWrongPassword = errors.New("the password does not decrypt the private key")
)

// ReadFile reads a file for one of the parsers, with an error naming it.
func ReadFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s does not exist", path)
		}
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return b, nil
}

// isPEM reports whether data looks like PEM rather than DER.
func isPEM(data []byte) bool {
	return strings.Contains(string(data[:min(len(data), 4096)]), "-----BEGIN ")
}

// decodeAll returns every PEM block in data. Text that begins a block but
// never ends it (a truncated file) is an error rather than silently ignored.
func decodeAll(data []byte) ([]*pem.Block, error) {
	var blocks []*pem.Block
	rest := data
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		blocks = append(blocks, b)
	}
	if strings.Contains(string(rest), "-----BEGIN ") {
		return blocks, errors.New("a PEM block is truncated or malformed")
	}
	if len(blocks) == 0 {
		return nil, errors.New("no PEM data found")
	}
	return blocks, nil
}

// ParseCertificates parses every certificate in data (PEM bundle or one DER
// certificate), leaf first as written.
func ParseCertificates(data []byte) ([]*x509.Certificate, error) {
	if !isPEM(data) {
		c, err := x509.ParseCertificate(data)
		if err != nil {
			return nil, fmt.Errorf("not a PEM or DER certificate: %w", err)
		}
		return []*x509.Certificate{c}, nil
	}
	blocks, err := decodeAll(data)
	if err != nil {
		return nil, err
	}
	var certs []*x509.Certificate
	for i, b := range blocks {
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("certificate %d: %w", i+1, err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, errors.New("no certificate found")
	}
	return certs, nil
}

// ReadCertificates reads a PEM bundle or DER certificate file.
func ReadCertificates(path string) ([]*x509.Certificate, error) {
	b, err := ReadFile(path)
	if err != nil {
		return nil, err
	}
	certs, err := ParseCertificates(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return certs, nil
}

// ReadCertificate reads the first certificate of a file.
func ReadCertificate(path string) (*x509.Certificate, error) {
	certs, err := ReadCertificates(path)
	if err != nil {
		return nil, err
	}
	return certs[0], nil
}

// ParseCSR parses a PEM or DER certificate request and checks its signature.
func ParseCSR(data []byte) (*x509.CertificateRequest, error) {
	csr, err := ParseCSRUnverified(data)
	if err != nil {
		return nil, err
	}
	if err := csr.CheckSignature(); err != nil {
		return nil, fmt.Errorf("the certificate request's signature is invalid: %w", err)
	}
	return csr, nil
}

// ParseCSRUnverified parses a certificate request without checking its
// signature, for callers that check it later exactly once (the CA core does,
// and a signature check is a tenth of an issuance's cost).
func ParseCSRUnverified(data []byte) (*x509.CertificateRequest, error) {
	der := data
	if isPEM(data) {
		blocks, err := decodeAll(data)
		if err != nil {
			return nil, err
		}
		der = nil
		for _, b := range blocks {
			if b.Type == "CERTIFICATE REQUEST" || b.Type == "NEW CERTIFICATE REQUEST" {
				der = b.Bytes
				break
			}
		}
		if der == nil {
			return nil, errors.New("no certificate request found")
		}
	}
	csr, err := x509.ParseCertificateRequest(der)
	if err != nil {
		return nil, fmt.Errorf("not a certificate request: %w", err)
	}
	return csr, nil
}

// ReadCSR reads and checks a certificate request file.
func ReadCSR(path string) (*x509.CertificateRequest, error) {
	b, err := ReadFile(path)
	if err != nil {
		return nil, err
	}
	csr, err := ParseCSR(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return csr, nil
}

// EncodeCertificates returns the PEM bundle of certs.
func EncodeCertificates(certs ...*x509.Certificate) []byte {
	var out []byte
	for _, c := range certs {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	return out
}

// EncodeCSR returns the PEM form of a certificate request.
func EncodeCSR(csr *x509.CertificateRequest) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: csr.Raw})
}
