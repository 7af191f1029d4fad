package jose

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	gojose "github.com/go-jose/go-jose/v4"
)

// PBES2Count is the PBKDF2 work factor of the provisioner key JWE (p2c), as
// step's current tools write it.
const PBES2Count = 600000

// Key-encryption and content-encryption algorithms accepted on decrypt.
var (
	keyAlgs = []gojose.KeyAlgorithm{
		gojose.PBES2_HS256_A128KW, gojose.PBES2_HS384_A192KW, gojose.PBES2_HS512_A256KW,
		gojose.ECDH_ES, gojose.ECDH_ES_A128KW, gojose.ECDH_ES_A192KW, gojose.ECDH_ES_A256KW,
		gojose.RSA_OAEP, gojose.RSA_OAEP_256, gojose.A128KW, gojose.A192KW, gojose.A256KW,
		gojose.A128GCMKW, gojose.A192GCMKW, gojose.A256GCMKW, gojose.DIRECT,
	}
	contentAlgs = []gojose.ContentEncryption{
		gojose.A128GCM, gojose.A192GCM, gojose.A256GCM,
		gojose.A128CBC_HS256, gojose.A192CBC_HS384, gojose.A256CBC_HS512,
	}
)

// EncryptJWK encrypts a private JWK with a password the way step stores a
// provisioner's `encryptedKey`: compact JWE, alg PBES2-HS256+A128KW, enc
// A256GCM, cty "jwk+json", p2c PBES2Count and a 16-byte random salt.
func EncryptJWK(jwk *JSONWebKey, password []byte) (string, error) {
	plain, err := json.Marshal(jwk)
	if err != nil {
		return "", fmt.Errorf("marshalling JWK: %w", err)
	}
	return EncryptWithPassword(plain, password, "jwk+json")
}

// EncryptWithPassword encrypts plaintext to a compact PBES2-HS256+A128KW /
// A256GCM JWE with content type cty ("" for none).
func EncryptWithPassword(plain, password []byte, cty string) (string, error) {
	obj, err := encryptPBES2(plain, password, cty)
	if err != nil {
		return "", err
	}
	return obj.CompactSerialize()
}

// EncryptJWKJSON is EncryptJWK in the flattened JSON serialization, indented
// by two spaces: the form `step crypto jwk create` writes to a private key
// file. DecryptJWK reads it as well as the compact form.
func EncryptJWKJSON(jwk *JSONWebKey, password []byte) ([]byte, error) {
	plain, err := json.Marshal(jwk)
	if err != nil {
		return nil, fmt.Errorf("marshalling JWK: %w", err)
	}
	obj, err := encryptPBES2(plain, password, "jwk+json")
	if err != nil {
		return nil, err
	}
	return indentJSON(obj.FullSerialize())
}

func encryptPBES2(plain, password []byte, cty string) (*gojose.JSONWebEncryption, error) {
	if len(password) == 0 {
		return nil, errors.New("an empty password cannot encrypt")
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return nil, err
	}
	opts := &gojose.EncrypterOptions{}
	if cty != "" {
		opts = opts.WithContentType(gojose.ContentType(cty))
	}
	enc, err := gojose.NewEncrypter(gojose.A256GCM, gojose.Recipient{
		Algorithm: gojose.PBES2_HS256_A128KW, Key: password, PBES2Count: PBES2Count, PBES2Salt: salt,
	}, opts)
	if err != nil {
		return nil, err
	}
	return enc.Encrypt(plain)
}

func indentJSON(s string) ([]byte, error) {
	var buf bytes.Buffer
	if err := json.Indent(&buf, []byte(s), "", "  "); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Encrypt encrypts plaintext to a recipient key (public JWK) with the given
// algorithms; it backs `stride crypto jwe encrypt --key`.
func Encrypt(plain []byte, key *JSONWebKey, alg, enc string) (string, error) {
	e, err := gojose.NewEncrypter(gojose.ContentEncryption(enc),
		gojose.Recipient{Algorithm: gojose.KeyAlgorithm(alg), Key: key, KeyID: key.KeyID}, nil)
	if err != nil {
		return "", err
	}
	obj, err := e.Encrypt(plain)
	if err != nil {
		return "", err
	}
	return obj.CompactSerialize()
}

// DecryptWithPassword opens a compact or JSON JWE with a password (PBES2).
// A wrong password is reported as such, not as a generic failure.
func DecryptWithPassword(jwe string, password []byte) ([]byte, error) {
	obj, err := parseJWE(jwe)
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(obj.Header.Algorithm, "PBES2") {
		return nil, fmt.Errorf("the JWE uses %s, not a password (PBES2) algorithm", obj.Header.Algorithm)
	}
	out, err := obj.Decrypt(password)
	if err != nil {
		return nil, errors.New("the password does not decrypt the JWE")
	}
	return out, nil
}

// DecryptWithKey opens a JWE with a private key JWK.
func DecryptWithKey(jwe string, key *JSONWebKey) ([]byte, error) {
	obj, err := parseJWE(jwe)
	if err != nil {
		return nil, err
	}
	out, err := obj.Decrypt(key)
	if err != nil {
		return nil, fmt.Errorf("decrypting JWE: %w", err)
	}
	return out, nil
}

// DecryptJWK opens a provisioner `encryptedKey` and parses the private JWK.
func DecryptJWK(jwe string, password []byte) (*JSONWebKey, error) {
	plain, err := DecryptWithPassword(jwe, password)
	if err != nil {
		return nil, err
	}
	return ParseJWK(plain)
}

func parseJWE(s string) (*gojose.JSONWebEncryption, error) {
	obj, err := gojose.ParseEncrypted(strings.TrimSpace(s), keyAlgs, contentAlgs)
	if err != nil {
		return nil, fmt.Errorf("not a JWE: %w", err)
	}
	return obj, nil
}
