package provisioner

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"fmt"
	"strings"

	gojose "github.com/go-jose/go-jose/v4"
)

// minRSABits is the smallest RSA key that may sign a token, as for any key
// the CA accepts.
const minRSABits = 2048

var rsaAlgs = []gojose.SignatureAlgorithm{
	gojose.RS256, gojose.RS384, gojose.RS512, gojose.PS256, gojose.PS384, gojose.PS512,
}

// isSignatureAlgorithm reports whether alg is an asymmetric JWS algorithm
// Stride verifies; MACs and "none" are never in this list.
func isSignatureAlgorithm(alg string) bool {
	switch gojose.SignatureAlgorithm(alg) {
	case gojose.ES256, gojose.ES384, gojose.ES512, gojose.EdDSA:
		return true
	}
	return containsAlg(rsaAlgs, alg)
}

// keyAlgorithms returns the algorithms pub may sign with, derived from the
// key's type and curve, never from a token: an ES256 header over a P-384 key
// is refused before go-jose sees it.
func keyAlgorithms(pub crypto.PublicKey) ([]gojose.SignatureAlgorithm, error) {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256():
			return []gojose.SignatureAlgorithm{gojose.ES256}, nil
		case elliptic.P384():
			return []gojose.SignatureAlgorithm{gojose.ES384}, nil
		case elliptic.P521():
			return []gojose.SignatureAlgorithm{gojose.ES512}, nil
		}
		return nil, fmt.Errorf("unsupported elliptic curve %s", k.Curve.Params().Name)
	case ed25519.PublicKey:
		return []gojose.SignatureAlgorithm{gojose.EdDSA}, nil
	case *rsa.PublicKey:
		if k.N.BitLen() < minRSABits {
			return nil, fmt.Errorf("RSA key of %d bits is too small (minimum %d)", k.N.BitLen(), minRSABits)
		}
		return rsaAlgs, nil
	}
	return nil, fmt.Errorf("unsupported key type %T", pub)
}

// restrictAlgorithm narrows a key's algorithms to the one its JWK declares
// ("alg"), which must be one the key can use.
func restrictAlgorithm(algs []gojose.SignatureAlgorithm, declared string) ([]gojose.SignatureAlgorithm, error) {
	if declared == "" {
		return algs, nil
	}
	if !containsAlg(algs, declared) {
		return nil, fmt.Errorf("key algorithm %q does not fit the key (%s)", declared, algNames(algs))
	}
	return []gojose.SignatureAlgorithm{gojose.SignatureAlgorithm(declared)}, nil
}

func containsAlg(algs []gojose.SignatureAlgorithm, alg string) bool {
	for _, a := range algs {
		if string(a) == alg {
			return true
		}
	}
	return false
}

func algNames(algs []gojose.SignatureAlgorithm) string {
	s := make([]string, len(algs))
	for i, a := range algs {
		s[i] = string(a)
	}
	return strings.Join(s, ", ")
}
