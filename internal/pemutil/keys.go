package pemutil

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"

	"golang.org/x/crypto/ssh"
)

// ParsePrivateKey parses the first private key in PEM data, decrypting it
// with password when it is encrypted (PKCS#8 PBES2 or legacy RFC 1423).
// Unencrypted keys ignore the password.
func ParsePrivateKey(data, password []byte) (crypto.Signer, error) {
	if !isPEM(data) {
		return parseDERKey(data)
	}
	blocks, err := decodeAll(data)
	if err != nil {
		return nil, err
	}
	for _, b := range blocks {
		switch {
		case b.Type == "ENCRYPTED PRIVATE KEY":
			if len(password) == 0 {
				return nil, ErrPasswordRequired
			}
			der, err := decryptPKCS8(b.Bytes, password)
			if err != nil {
				return nil, err
			}
			return parseDERKey(der)
		case b.Headers["Proc-Type"] == "4,ENCRYPTED":
			if len(password) == 0 {
				return nil, ErrPasswordRequired
			}
			der, err := decryptRFC1423(b, password)
			if err != nil {
				return nil, err
			}
			return parseDERKey(der)
		case b.Type == "OPENSSH PRIVATE KEY":
			return parseOpenSSHKey(pem.EncodeToMemory(b), password)
		case b.Type == "PRIVATE KEY" || b.Type == "EC PRIVATE KEY" || b.Type == "RSA PRIVATE KEY":
			return parseDERKey(b.Bytes)
		}
	}
	return nil, errors.New("no private key found")
}

// ReadPrivateKey reads and, if needed, decrypts a private key file.
func ReadPrivateKey(path string, password []byte) (crypto.Signer, error) {
	b, err := ReadFile(path)
	if err != nil {
		return nil, err
	}
	k, err := ParsePrivateKey(b, password)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

// IsEncrypted reports whether PEM data holds an encrypted private key.
func IsEncrypted(data []byte) bool {
	blocks, _ := decodeAll(data)
	for _, b := range blocks {
		if b.Type == "ENCRYPTED PRIVATE KEY" || b.Headers["Proc-Type"] == "4,ENCRYPTED" {
			return true
		}
		if b.Type == "OPENSSH PRIVATE KEY" {
			_, err := ssh.ParseRawPrivateKey(pem.EncodeToMemory(b))
			var missing *ssh.PassphraseMissingError
			return errors.As(err, &missing)
		}
	}
	return false
}

func parseDERKey(der []byte) (crypto.Signer, error) {
	if k, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		return asSigner(k)
	}
	if k, err := x509.ParseECPrivateKey(der); err == nil {
		return k, nil
	}
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return k, nil
	}
	return nil, errors.New("not a PKCS#8, SEC 1 or PKCS#1 private key")
}

func parseOpenSSHKey(data, password []byte) (crypto.Signer, error) {
	var k any
	var err error
	if len(password) > 0 {
		k, err = ssh.ParseRawPrivateKeyWithPassphrase(data, password)
		if errors.Is(err, x509.IncorrectPasswordError) {
			return nil, ErrWrongPassword
		}
	} else {
		k, err = ssh.ParseRawPrivateKey(data)
		var missing *ssh.PassphraseMissingError
		if errors.As(err, &missing) {
			return nil, ErrPasswordRequired
		}
	}
	if err != nil {
		return nil, fmt.Errorf("OpenSSH private key: %w", err)
	}
	if p, ok := k.(*ed25519.PrivateKey); ok {
		return *p, nil
	}
	return asSigner(k)
}

func asSigner(k any) (crypto.Signer, error) {
	switch k := k.(type) {
	case *ecdsa.PrivateKey:
		return k, nil
	case *rsa.PrivateKey:
		return k, nil
	case ed25519.PrivateKey:
		return k, nil
	default:
		return nil, fmt.Errorf("unsupported private key type %T", k)
	}
}

// MarshalPrivateKey returns the unencrypted PEM block of key in the form
// openssl and step write: SEC 1 for EC, PKCS#1 for RSA, PKCS#8 for Ed25519.
func MarshalPrivateKey(key crypto.Signer) (*pem.Block, error) {
	switch k := key.(type) {
	case *ecdsa.PrivateKey:
		der, err := x509.MarshalECPrivateKey(k)
		if err != nil {
			return nil, err
		}
		return &pem.Block{Type: "EC PRIVATE KEY", Bytes: der}, nil
	case *rsa.PrivateKey:
		return &pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}, nil
	default:
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			return nil, err
		}
		return &pem.Block{Type: "PRIVATE KEY", Bytes: der}, nil
	}
}

// EncodePrivateKey returns key as PEM: encrypted (PKCS#8 PBES2) when password
// is not empty, plain otherwise.
func EncodePrivateKey(key crypto.Signer, password []byte) ([]byte, error) {
	var b *pem.Block
	var err error
	if len(password) > 0 {
		b, err = EncryptPrivateKey(key, password)
	} else {
		b, err = MarshalPrivateKey(key)
	}
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(b), nil
}

// EncodePublicKey returns the PKIX "PUBLIC KEY" PEM of pub.
func EncodePublicKey(pub crypto.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// ParsePublicKey reads a public key from PEM "PUBLIC KEY", a certificate, a
// CSR, or an OpenSSH authorized_keys line.
func ParsePublicKey(data []byte) (crypto.PublicKey, error) {
	if !isPEM(data) {
		if pk, _, _, _, err := ssh.ParseAuthorizedKey(data); err == nil {
			if cpk, ok := pk.(ssh.CryptoPublicKey); ok {
				return cpk.CryptoPublicKey(), nil
			}
		}
		return x509.ParsePKIXPublicKey(data)
	}
	blocks, err := decodeAll(data)
	if err != nil {
		return nil, err
	}
	for _, b := range blocks {
		switch b.Type {
		case "PUBLIC KEY":
			return x509.ParsePKIXPublicKey(b.Bytes)
		case "RSA PUBLIC KEY":
			return x509.ParsePKCS1PublicKey(b.Bytes)
		case "CERTIFICATE":
			c, err := x509.ParseCertificate(b.Bytes)
			if err != nil {
				return nil, err
			}
			return c.PublicKey, nil
		case "CERTIFICATE REQUEST":
			c, err := x509.ParseCertificateRequest(b.Bytes)
			if err != nil {
				return nil, err
			}
			return c.PublicKey, nil
		}
	}
	return nil, errors.New("no public key found")
}
