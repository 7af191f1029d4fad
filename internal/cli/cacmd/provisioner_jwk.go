package cacmd

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
	"github.com/stride-pki/stride/internal/config"
	"github.com/stride-pki/stride/internal/jose"
	"github.com/stride-pki/stride/internal/keys"
	"github.com/stride-pki/stride/internal/pemutil"
)

// applyJWK sets the key of a JWK provisioner from --create, --private-key
// and/or --public-key. add says whether the provisioner is new, in which
// case one of them is required.
func (f *editFlags) applyJWK(cmd *cobra.Command, p *config.Provisioner, add bool) error {
	var priv *jose.JSONWebKey
	var pub *jose.JSONWebKey
	var password []byte
	var err error
	in, out := cmd.InOrStdin(), cmd.ErrOrStderr()
	switch {
	case f.create:
		priv, err = newProvisionerJWK()
	case f.privateKey != "":
		priv, password, err = f.readPrivateJWK(in, out)
	case f.publicKey == "":
		if add {
			return cmdutil.Usagef("a JWK provisioner needs a key: pass --create, --public-key or --private-key")
		}
		return nil
	}
	if err != nil {
		return err
	}
	if f.publicKey != "" {
		if pub, err = readPublicJWK(f.publicKey); err != nil {
			return err
		}
	}
	if priv == nil {
		return setJWKFields(p, pub, "")
	}
	if pub, err = matchPublic(priv, pub); err != nil {
		return err
	}
	if password == nil {
		if password, err = f.newKeyPassword(in, out); err != nil {
			return err
		}
	}
	enc, err := jose.EncryptJWK(priv, password)
	if err != nil {
		return fmt.Errorf("encrypting the provisioner key: %w", err)
	}
	return setJWKFields(p, pub, enc)
}

// setJWKFields stores key and encryptedKey; without a private key the
// encryptedKey member is removed (a provisioner whose tokens are made
// elsewhere, e.g. with `step ca token --key`).
func setJWKFields(p *config.Provisioner, pub *jose.JSONWebKey, enc string) error {
	b, err := json.Marshal(pub)
	if err != nil {
		return fmt.Errorf("encoding the public key: %w", err)
	}
	if err := p.Set(config.JWKFields{Key: b, EncryptedKey: enc}); err != nil {
		return err
	}
	if enc == "" {
		return p.Delete("encryptedKey")
	}
	return nil
}

// newProvisionerJWK makes a provisioner key as `step ca init` does: EC
// P-256, alg ES256, use sig, kid = RFC 7638 thumbprint.
func newProvisionerJWK() (*jose.JSONWebKey, error) {
	k, err := keys.Generate("EC", "P-256", 0)
	if err != nil {
		return nil, err
	}
	return jose.NewJWK(k)
}

// matchPublic returns the public half of priv, refusing a --public-key
// that belongs to another key.
func matchPublic(priv, pub *jose.JSONWebKey) (*jose.JSONWebKey, error) {
	own := jose.Public(priv)
	if pub == nil {
		return own, nil
	}
	a, err := jose.Thumbprint(own)
	if err != nil {
		return nil, err
	}
	b, err := jose.Thumbprint(pub)
	if err != nil {
		return nil, err
	}
	if a != b {
		return nil, fmt.Errorf("--public-key and --private-key are not the same key pair")
	}
	return pub, nil
}

// readPublicJWK reads a JWK (its public half is used) or a PEM public key.
func readPublicJWK(path string) (*jose.JSONWebKey, error) {
	data, err := pemutil.ReadFile(path)
	if err != nil {
		return nil, err
	}
	s := strings.TrimSpace(string(data))
	var jwk *jose.JSONWebKey
	switch {
	case isEncryptedJWK(s):
		return nil, fmt.Errorf("--public-key %s is an encrypted private key: pass it as --private-key", path)
	case strings.HasPrefix(s, "{"):
		if jwk, err = jose.ParseJWK([]byte(s)); err != nil {
			return nil, fmt.Errorf("--public-key %s: %w", path, err)
		}
		jwk = jose.Public(jwk)
	default:
		k, err := pemutil.ParsePublicKey(data)
		if err != nil {
			return nil, fmt.Errorf("--public-key %s is neither a JWK nor a PEM public key: %w", path, err)
		}
		jwk = &jose.JSONWebKey{Key: k}
	}
	if err := completeJWK(jwk); err != nil {
		return nil, fmt.Errorf("--public-key %s: %w", path, err)
	}
	return jwk, nil
}

// readPrivateJWK reads --private-key: a JWK, a JWE-encrypted JWK (as `step
// crypto jwk create` writes) or a PEM key. It returns the password that
// decrypted it, reused to encrypt the provisioner's encryptedKey.
func (f *editFlags) readPrivateJWK(in io.Reader, out io.Writer) (*jose.JSONWebKey, []byte, error) {
	path := f.privateKey
	data, err := pemutil.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	s := strings.TrimSpace(string(data))
	var jwk *jose.JSONWebKey
	var password []byte
	switch {
	case isEncryptedJWK(s) || pemutil.IsEncrypted(data):
		if password, err = f.existingKeyPassword(in, out); err != nil {
			return nil, nil, err
		}
		if isEncryptedJWK(s) {
			jwk, err = jose.DecryptJWK(s, password)
		} else {
			jwk, err = pemJWK(data, password)
		}
	case strings.HasPrefix(s, "{"):
		jwk, err = jose.ParseJWK([]byte(s))
	default:
		jwk, err = pemJWK(data, nil)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("--private-key %s: %w", path, err)
	}
	if jwk.IsPublic() {
		return nil, nil, cmdutil.Usagef("--private-key %s holds a public key: pass it as --public-key", path)
	}
	if err := completeJWK(jwk); err != nil {
		return nil, nil, fmt.Errorf("--private-key %s: %w", path, err)
	}
	return jwk, password, nil
}

func pemJWK(data, password []byte) (*jose.JSONWebKey, error) {
	k, err := pemutil.ParsePrivateKey(data, password)
	if err != nil {
		return nil, err
	}
	return jose.NewJWK(k)
}

// completeJWK fills what step expects of a provisioner key: an allowed key,
// use "sig", alg by key type and kid = thumbprint when the file had none.
func completeJWK(jwk *jose.JSONWebKey) error {
	pub := jose.Public(jwk).Key
	if err := keys.CheckPublicKey(pub); err != nil {
		return err
	}
	if jwk.Use == "" {
		jwk.Use = "sig"
	}
	var err error
	if jwk.Algorithm == "" {
		if jwk.Algorithm, err = jose.SignatureAlgorithm(pub); err != nil {
			return err
		}
	}
	if jwk.KeyID == "" {
		jwk.KeyID, err = jose.Thumbprint(jose.Public(jwk))
	}
	return err
}

// isEncryptedJWK tells a JWE (compact, or JSON with a ciphertext) from a JWK.
func isEncryptedJWK(s string) bool {
	if strings.HasPrefix(s, "{") {
		var m map[string]json.RawMessage
		if json.Unmarshal([]byte(s), &m) != nil {
			return false
		}
		_, ok := m["ciphertext"]
		return ok
	}
	return strings.Count(s, ".") == 4 && !strings.ContainsAny(s, " \n-")
}

// newKeyPassword is the password that encrypts the provisioner key:
// --password-file, or asked twice on a terminal.
func (f *editFlags) newKeyPassword(in io.Reader, out io.Writer) ([]byte, error) {
	if f.passwordFile == "" && !cmdutil.IsTerminal(in) {
		return nil, cmdutil.Usagef("not running on a terminal: pass --password-file with the password that encrypts the provisioner key")
	}
	pw, err := cmdutil.NewKeyPassword(in, out, f.passwordFile, false, false, "the provisioner key")
	if err != nil {
		return nil, err
	}
	if len(pw) == 0 {
		return nil, errors.New("the provisioner key needs a password")
	}
	return pw, nil
}

// existingKeyPassword decrypts an encrypted --private-key.
func (f *editFlags) existingKeyPassword(in io.Reader, out io.Writer) ([]byte, error) {
	return cmdutil.ExistingKeyPassword(in, out, f.passwordFile, "--password-file", f.privateKey)
}
