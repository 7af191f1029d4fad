// Package load drives step-ca's POST /sign API at a fixed concurrency and
// measures it: throughput, latency percentiles, and the server's peak RSS and
// CPU time per certificate read from /proc. It pre-mints every JWK one-time
// token and CSR before the clock starts, so the timed phase is HTTP only.
// Both bench/sign (one server) and bench/sign/run (step-ca and stride-ca side
// by side) are thin commands over it.
package load

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/stride-pki/stride/internal/config"
	"github.com/stride-pki/stride/internal/jose"
	"github.com/stride-pki/stride/internal/pemutil"
)

// Issuer is what the minter needs to write tokens a CA accepts: the JWK
// provisioner's name and private key, the CA URL (the token audience is
// `<URL>/1.0/sign`) and the root the TLS connection and the `sha` claim use.
type Issuer struct {
	CAURL       string
	Provisioner string
	Key         *jose.JSONWebKey
	Root        *x509.Certificate
}

// Audience is the `aud` claim of a sign token (reference §2.1): a single
// string, the CA URL with its port and the /1.0 prefix.
func (is *Issuer) Audience() string { return is.CAURL + "/1.0/sign" }

// RootSHA is the hex SHA-256 of the root certificate's DER (the `sha` claim).
func (is *Issuer) RootSHA() string {
	sum := sha256.Sum256(is.Root.Raw)
	return hex.EncodeToString(sum[:])
}

// LoadIssuer reads the JWK provisioner named name from the ca.json at
// caConfig, decrypts its encryptedKey with the password in passwordFile, and
// reads the root certificate at rootPath (the ca.json's first root when
// rootPath is empty).
func LoadIssuer(caURL, caConfig, name, passwordFile, rootPath string) (*Issuer, error) {
	cfg, err := config.Load(caConfig)
	if err != nil {
		return nil, err
	}
	if cfg.Authority == nil {
		return nil, fmt.Errorf("%s has no authority section", caConfig)
	}
	pw, err := os.ReadFile(passwordFile)
	if err != nil {
		return nil, fmt.Errorf("reading the provisioner password: %w", err)
	}
	pw = bytes.TrimRight(pw, "\r\n")
	key, err := provisionerKey(cfg.Authority.Provisioners, name, pw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", caConfig, err)
	}
	if rootPath == "" {
		rootPath = cfg.Root.First()
	}
	root, err := pemutil.ReadCertificate(rootPath)
	if err != nil {
		return nil, err
	}
	return &Issuer{CAURL: caURL, Provisioner: name, Key: key, Root: root}, nil
}

// provisionerKey finds the JWK provisioner called name and decrypts its key.
// The key ID comes from the public key when the encrypted one has none.
func provisionerKey(provs []config.Provisioner, name string, password []byte) (*jose.JSONWebKey, error) {
	for _, p := range provs {
		if p.Type() != config.ProvisionerJWK || p.Name() != name {
			continue
		}
		f, err := p.JWK()
		if err != nil {
			return nil, err
		}
		if f.EncryptedKey == "" {
			return nil, fmt.Errorf("provisioner %q has no encryptedKey", name)
		}
		key, err := jose.DecryptJWK(f.EncryptedKey, password)
		if err != nil {
			return nil, fmt.Errorf("decrypting the key of provisioner %q: %w", name, err)
		}
		if key.KeyID == "" {
			var pub struct {
				Kid string `json:"kid"`
			}
			if err := json.Unmarshal(f.Key, &pub); err == nil {
				key.KeyID = pub.Kid
			}
		}
		return key, nil
	}
	return nil, errors.New("no JWK provisioner named " + name)
}
