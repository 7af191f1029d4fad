// Package keys generates key pairs by step's kty/crv/size names and holds the
// key-strength rules every command and the CA share: RSA of at least 2048
// bits, the NIST curves P-256/P-384/P-521, and Ed25519. It is a leaf.
package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"strings"
)

// Defaults, as step's: EC P-256; OKP means Ed25519; RSA 2048.
const (
	DefaultKty     = "EC"
	DefaultCurve   = "P-256"
	DefaultRSASize = 2048
	MinRSASize     = 2048
)

// Generate creates a key of type kty ("EC", "OKP" or "RSA"). crv names the
// curve for EC (P-256, P-384, P-521) and OKP (Ed25519); size is the RSA
// modulus in bits. Empty values take the defaults.
func Generate(kty, crv string, size int) (crypto.Signer, error) {
	switch strings.ToUpper(kty) {
	case "", "EC":
		c, err := curve(crv)
		if err != nil {
			return nil, err
		}
		return ecdsa.GenerateKey(c, rand.Reader)
	case "OKP":
		if crv != "" && !strings.EqualFold(crv, "Ed25519") {
			return nil, fmt.Errorf("curve %q is not supported for OKP keys: use Ed25519", crv)
		}
		_, k, err := ed25519.GenerateKey(rand.Reader)
		return k, err
	case "RSA":
		if size == 0 {
			size = DefaultRSASize
		}
		if err := checkRSASize(size); err != nil {
			return nil, err
		}
		return rsa.GenerateKey(rand.Reader, size)
	default:
		return nil, fmt.Errorf("key type %q is not supported: use EC, OKP or RSA", kty)
	}
}

func curve(crv string) (elliptic.Curve, error) {
	switch strings.ToUpper(crv) {
	case "", "P-256", "P256":
		return elliptic.P256(), nil
	case "P-384", "P384":
		return elliptic.P384(), nil
	case "P-521", "P521":
		return elliptic.P521(), nil
	}
	return nil, fmt.Errorf("curve %q is not supported for EC keys: use P-256, P-384 or P-521", crv)
}

func checkRSASize(bits int) error {
	if bits < MinRSASize {
		return fmt.Errorf("RSA key size %d is too small: the minimum is %d bits", bits, MinRSASize)
	}
	if bits%8 != 0 {
		return fmt.Errorf("RSA key size %d is not a multiple of 8", bits)
	}
	return nil
}

// CheckPublicKey rejects keys Stride will not certify: RSA under 2048 bits
// or with an even or small exponent, unknown curves, and other key types.
func CheckPublicKey(pub crypto.PublicKey) error {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if err := checkRSASize(k.N.BitLen()); err != nil {
			return err
		}
		if k.E < 3 || k.E%2 == 0 {
			return fmt.Errorf("RSA public exponent %d is not allowed", k.E)
		}
		return nil
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256(), elliptic.P384(), elliptic.P521():
			return nil
		case nil:
			return fmt.Errorf("malformed EC key: no curve")
		}
		return fmt.Errorf("elliptic curve %s is not allowed", k.Curve.Params().Name)
	case ed25519.PublicKey:
		if len(k) != ed25519.PublicKeySize {
			return fmt.Errorf("malformed Ed25519 key")
		}
		return nil
	default:
		return fmt.Errorf("public key type %T is not allowed: use EC, Ed25519 or RSA", pub)
	}
}

// Describe names a public key the way step prints it: "EC P-256", "RSA 2048", "OKP Ed25519".
func Describe(pub crypto.PublicKey) string {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA %d", k.N.BitLen())
	case *ecdsa.PublicKey:
		return "EC " + k.Curve.Params().Name
	case ed25519.PublicKey:
		return "OKP Ed25519"
	}
	return fmt.Sprintf("%T", pub)
}
