package server

import (
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/stride-pki/stride/internal/authority"
	"github.com/stride-pki/stride/internal/config"
	"github.com/stride-pki/stride/internal/pemutil"
	"github.com/stride-pki/stride/internal/provisioner"
	"github.com/stride-pki/stride/internal/storage"
)

// Secrets are the passwords given at start; a reload reuses them.
type Secrets struct {
	// Password decrypts the intermediate key (--password-file, else ca.json's "password").
	Password []byte
	// SSHHostPassword and SSHUserPassword decrypt the SSH CA keys.
	SSHHostPassword, SSHUserPassword []byte
}

// CA is one built generation of the CA: the authority over a shared store.
type CA struct {
	Config    *config.CAConfig
	Authority *authority.Authority
	Started   time.Time
	// ACMENonceKey keys ACME's stateless nonces (see nonceKey).
	ACMENonceKey []byte
}

// Build makes a CA from cfg over store: it loads the roots, the
// intermediate chain and key, and the provisioners. It writes nothing.
//
// started is when the process started: tokens issued before it are refused
// (unless disableIssuedAtCheck). It stays the same across reloads, so a
// SIGHUP does not invalidate tokens already handed out (step-ca resets it).
func Build(cfg *config.CAConfig, base string, secrets Secrets, store storage.Store, started time.Time, log *slog.Logger) (*CA, error) {
	resolve := func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(base, p)
	}
	var roots, federated []*x509.Certificate
	for _, p := range cfg.Root.Paths {
		certs, err := pemutil.ReadCertificates(resolve(p))
		if err != nil {
			return nil, fmt.Errorf("root: %w", err)
		}
		roots = append(roots, certs...)
	}
	for _, p := range cfg.FederatedRoots {
		certs, err := pemutil.ReadCertificates(resolve(p))
		if err != nil {
			return nil, fmt.Errorf("federatedRoots: %w", err)
		}
		federated = append(federated, certs...)
	}
	alternates, err := readAlternateChains(cfg.ACMEAlternateChains, resolve)
	if err != nil {
		return nil, err
	}
	inters, err := pemutil.ReadCertificates(resolve(cfg.IntermediateCert))
	if err != nil {
		return nil, fmt.Errorf("crt: %w", err)
	}
	signer, err := loadKey(resolve(cfg.IntermediateKey), secrets.Password, cfg.Password)
	if err != nil {
		return nil, err
	}
	auth := cfg.Authority
	if auth == nil {
		auth = &config.Authority{}
	}
	provs, err := provisioner.NewCollection(auth.Provisioners, provisioner.Options{
		DNSNames: cfg.DNSNames, AuthorityClaims: auth.Claims, StartTime: started,
		DisableIssuedAtCheck: auth.DisableIssuedAtCheck,
	})
	if err != nil {
		return nil, fmt.Errorf("authority.provisioners: %w", err)
	}
	a, err := authority.New(authority.Options{
		Config: cfg, Roots: roots, FederatedRoots: federated, Intermediates: inters, AlternateChains: alternates, Signer: signer,
		Provisioners: provs, Store: store, BasePath: base, Logger: log,
	})
	if err != nil {
		return nil, err
	}
	return &CA{Config: cfg, Authority: a, Started: started, ACMENonceKey: nonceKey(signer)}, nil
}

// readAlternateChains reads ca.json's "acmeAlternateChains": per chain,
// the certificates of its files in order.
func readAlternateChains(chains [][]string, resolve func(string) string) ([][]*x509.Certificate, error) {
	var out [][]*x509.Certificate
	for i, files := range chains {
		var chain []*x509.Certificate
		for _, p := range files {
			certs, err := pemutil.ReadCertificates(resolve(p))
			if err != nil {
				return nil, fmt.Errorf("acmeAlternateChains[%d]: %w", i, err)
			}
			chain = append(chain, certs...)
		}
		out = append(out, chain)
	}
	return out, nil
}

func loadKey(path string, password []byte, configPassword string) (crypto.Signer, error) {
	if len(password) == 0 && configPassword != "" {
		password = []byte(configPassword)
	}
	k, err := pemutil.ReadPrivateKey(path, password)
	switch {
	case errors.Is(err, pemutil.ErrPasswordRequired):
		return nil, fmt.Errorf("%s is encrypted: pass --password-file", path)
	case errors.Is(err, pemutil.ErrWrongPassword):
		return nil, fmt.Errorf("%s: the password is wrong", path)
	case err != nil:
		return nil, fmt.Errorf("key: %w", err)
	}
	return k, nil
}

// askPassword prompts for the intermediate key's password when it is
// encrypted and neither --password-file nor ca.json's "password" gave one.
func askPassword(cfg *config.CAConfig, opts *RunOptions) error {
	if len(opts.Secrets.Password) > 0 || cfg.Password != "" || opts.PromptPassword == nil {
		return nil
	}
	path := cfg.IntermediateKey
	if !filepath.IsAbs(path) {
		path = filepath.Join(opts.Base, path)
	}
	data, err := pemutil.ReadFile(path)
	if err != nil || !pemutil.IsEncrypted(data) {
		return nil // Build reports a missing key
	}
	pw, err := opts.PromptPassword("Please enter the password to decrypt " + path)
	if err != nil {
		return err
	}
	opts.Secrets.Password = pw
	return nil
}
