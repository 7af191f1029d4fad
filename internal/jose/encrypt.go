package jose

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"errors"
	"fmt"

	gojose "github.com/go-jose/go-jose/v4"
)

// EncryptOptions are the JWE header choices of `crypto jwe encrypt`. Empty
// Alg picks one by key (see DefaultKeyAlgorithm); empty Enc is A256GCM.
type EncryptOptions struct {
	Alg, Enc, Typ, Cty string
}

// EncryptJSON encrypts plain to key and returns the flattened JSON
// serialization on one line, as `step crypto jwe encrypt` prints it. key is
// a public JWK, a crypto.PublicKey, or a password ([]byte) for PBES2.
func EncryptJSON(plain []byte, key any, o EncryptOptions) ([]byte, error) {
	rcpt, err := recipient(key, o.Alg)
	if err != nil {
		return nil, err
	}
	if o.Enc == "" {
		o.Enc = string(gojose.A256GCM)
	}
	opts := &gojose.EncrypterOptions{}
	if o.Typ != "" {
		opts = opts.WithType(gojose.ContentType(o.Typ))
	}
	if o.Cty != "" {
		opts = opts.WithContentType(gojose.ContentType(o.Cty))
	}
	enc, err := gojose.NewEncrypter(gojose.ContentEncryption(o.Enc), rcpt, opts)
	if err != nil {
		return nil, fmt.Errorf("cannot encrypt with alg %s and enc %s: %w", rcpt.Algorithm, o.Enc, err)
	}
	obj, err := enc.Encrypt(plain)
	if err != nil {
		return nil, err
	}
	return []byte(obj.FullSerialize()), nil
}

// recipient builds the go-jose recipient for key, defaulting the algorithm.
func recipient(key any, alg string) (gojose.Recipient, error) {
	r := gojose.Recipient{Algorithm: gojose.KeyAlgorithm(alg), Key: key}
	switch k := key.(type) {
	case []byte:
		if len(k) == 0 {
			return r, errors.New("an empty password cannot encrypt")
		}
		if alg == "" {
			r.Algorithm = gojose.PBES2_HS256_A128KW
		}
		r.PBES2Count = PBES2Count
		return r, nil
	case *JSONWebKey:
		r.KeyID = k.KeyID
		if alg == "" {
			// A signing JWK's alg (ES256…) says nothing about key wrapping.
			a := k.Algorithm
			if a == "" || k.Use == "sig" {
				var err error
				if a, err = DefaultKeyAlgorithm(k.Key); err != nil {
					return r, err
				}
			}
			r.Algorithm = gojose.KeyAlgorithm(a)
		}
		r.Key = k.Public()
		return r, nil
	}
	if alg == "" {
		a, err := DefaultKeyAlgorithm(key)
		if err != nil {
			return r, err
		}
		r.Algorithm = gojose.KeyAlgorithm(a)
	}
	return r, nil
}

// DefaultKeyAlgorithm is step's default key-management algorithm by key
// type: ECDH-ES for EC, RSA-OAEP-256 for RSA. Ed25519 cannot encrypt.
func DefaultKeyAlgorithm(key crypto.PublicKey) (string, error) {
	if s, ok := key.(crypto.Signer); ok {
		key = s.Public()
	}
	switch key.(type) {
	case *ecdsa.PublicKey:
		return string(gojose.ECDH_ES), nil
	case *rsa.PublicKey:
		return string(gojose.RSA_OAEP_256), nil
	}
	return "", fmt.Errorf("a %T key cannot encrypt: use an EC or RSA key", key)
}
