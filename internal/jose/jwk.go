// Package jose wraps go-jose for the few JOSE shapes Stride shares with step:
// signing JWKs with RFC 7638 thumbprints as key IDs, the provisioner's
// password-encrypted private key (a PBES2 JWE), and compact JWTs. It is a leaf.
package jose

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"

	gojose "github.com/go-jose/go-jose/v4"
)

// JSONWebKey is go-jose's JWK, re-exported so callers need one import.
type JSONWebKey = gojose.JSONWebKey

// SignatureAlgorithm picks the JWS algorithm for a key as step does: ES256,
// ES384 or ES512 by curve, EdDSA for Ed25519, RS256 for RSA.
func SignatureAlgorithm(pub crypto.PublicKey) (string, error) {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		switch k.Curve.Params().BitSize {
		case 256:
			return string(gojose.ES256), nil
		case 384:
			return string(gojose.ES384), nil
		case 521:
			return string(gojose.ES512), nil
		}
	case ed25519.PublicKey:
		return string(gojose.EdDSA), nil
	case *rsa.PublicKey:
		return string(gojose.RS256), nil
	}
	return "", fmt.Errorf("no JWS algorithm for key type %T", pub)
}

// NewJWK returns the private signing JWK of key, with `use` "sig", `alg` by
// key type and `kid` the RFC 7638 thumbprint (what step ca init writes).
func NewJWK(key crypto.Signer) (*JSONWebKey, error) {
	alg, err := SignatureAlgorithm(key.Public())
	if err != nil {
		return nil, err
	}
	jwk := &JSONWebKey{Key: key, Use: "sig", Algorithm: alg}
	kid, err := Thumbprint(jwk)
	if err != nil {
		return nil, err
	}
	jwk.KeyID = kid
	return jwk, nil
}

// Thumbprint is the base64url (unpadded) SHA-256 RFC 7638 thumbprint.
func Thumbprint(jwk *JSONWebKey) (string, error) {
	tp, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return "", fmt.Errorf("computing JWK thumbprint: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(tp), nil
}

// Public returns the public half of jwk, keeping kid, use and alg.
func Public(jwk *JSONWebKey) *JSONWebKey {
	p := jwk.Public()
	return &p
}

// ParseJWK parses one JWK (public or private) from JSON.
func ParseJWK(data []byte) (*JSONWebKey, error) {
	var jwk JSONWebKey
	if err := json.Unmarshal(data, &jwk); err != nil {
		return nil, fmt.Errorf("not a JWK: %w", err)
	}
	if jwk.Key == nil {
		return nil, errors.New("not a JWK: no key material")
	}
	return &jwk, nil
}

// Signer returns the crypto.Signer inside a private JWK.
func Signer(jwk *JSONWebKey) (crypto.Signer, error) {
	switch k := jwk.Key.(type) {
	case *ecdsa.PrivateKey:
		return k, nil
	case *rsa.PrivateKey:
		return k, nil
	case ed25519.PrivateKey:
		return k, nil
	}
	return nil, fmt.Errorf("the JWK holds no private signing key (%T)", jwk.Key)
}

// Hash256 is a helper for claims such as `sha` (hex of SHA-256).
func Hash256(b []byte) []byte { s := sha256.Sum256(b); return s[:] }
