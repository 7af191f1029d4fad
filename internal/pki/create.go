package pki

import (
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/stride-pki/stride/internal/config"
	"github.com/stride-pki/stride/internal/fileutil"
	"github.com/stride-pki/stride/internal/jose"
	"github.com/stride-pki/stride/internal/keys"
	"github.com/stride-pki/stride/internal/pemutil"
)

// Options are the choices of `stride ca init`, already validated for shape.
type Options struct {
	Name                string   // PKI name: "<Name> Root CA", "<Name> Intermediate CA"
	DNSNames            []string // names and IPs clients use to reach the CA
	Address             string   // listen address, host:port
	Provisioner         string   // name of the first JWK provisioner
	Password            []byte   // encrypts the CA (and SSH CA) keys
	ProvisionerPassword []byte   // encrypts the provisioner JWK; Password when empty
	Kty, Crv            string   // CA key type and curve (EC P-256 by default)
	Size                int      // RSA size
	SSH                 bool     // also create SSH host and user CA keys and an sshpop provisioner
	ACME                bool     // also add an ACME provisioner named "acme"
	NoDB                bool     // leave the db out of ca.json
	PKIOnly             bool     // write keys and certificates only, no configuration
	DeploymentType      string   // "standalone"

	// Root and RootKey, when set, are an existing root to sign the
	// intermediate with (--root/--key); the root key is then not written.
	Root    *x509.Certificate
	RootKey crypto.Signer

	Now func() time.Time
}

// File is one file written by Create, with the label step prints for it.
type File struct {
	Label string
	Path  string
	data  []byte
	perm  os.FileMode
}

// Result describes a created PKI.
type Result struct {
	Files           []File // in the order step prints them
	Root            *x509.Certificate
	Intermediate    *x509.Certificate
	RootFingerprint string
	CAURL           string
}

// Create generates the PKI of opts under paths and writes it. Everything is
// generated in memory first; files are written only when all of it
// succeeded, and a failed write removes what this call had written.
func Create(paths config.Paths, opts Options) (*Result, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	b := &builder{paths: paths, opts: opts, now: opts.Now()}
	steps := []func() error{b.caCerts, b.sshKeys}
	if !opts.PKIOnly {
		steps = append(steps, b.dirs, b.configs)
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	if err := writeAll(b.res.Files); err != nil {
		return nil, err
	}
	return &b.res, nil
}

func (o *Options) check() error {
	switch {
	case o.Name == "":
		return errors.New("the PKI needs a name (--name)")
	case len(o.Password) == 0:
		return errors.New("a password is required to encrypt the CA keys (--password-file)")
	}
	if o.PKIOnly {
		return nil
	}
	if len(o.DNSNames) == 0 {
		return errors.New("at least one DNS name or IP is required (--dns)")
	}
	if o.Provisioner == "" {
		return errors.New("the first provisioner needs a name (--provisioner)")
	}
	if _, _, err := net.SplitHostPort(o.Address); err != nil {
		return fmt.Errorf("--address %q is not host:port: %v", o.Address, err)
	}
	if (o.Root == nil) != (o.RootKey == nil) {
		return errors.New("--root and --key must be given together")
	}
	return nil
}

// builder accumulates the files of one Create call.
type builder struct {
	paths config.Paths
	opts  Options
	now   time.Time
	res   Result
	// sshHostKey and sshUserKey are the SSH CA public key lines, if any.
	sshHost, sshUser bool
}

func (b *builder) add(label, path string, data []byte, perm os.FileMode) {
	b.res.Files = append(b.res.Files, File{Label: label, Path: path, data: data, perm: perm})
}

func (b *builder) encryptKey(k crypto.Signer) ([]byte, error) {
	return pemutil.EncodePrivateKey(k, b.opts.Password)
}

// caCerts makes (or takes) the root and makes the intermediate.
func (b *builder) caCerts() error {
	root, rootKey := b.opts.Root, b.opts.RootKey
	if root == nil {
		k, err := keys.Generate(b.opts.Kty, b.opts.Crv, b.opts.Size)
		if err != nil {
			return err
		}
		if root, err = CreateRoot(b.opts.Name, k, b.now); err != nil {
			return err
		}
		rootKey = k
	}
	intKey, err := keys.Generate(b.opts.Kty, b.opts.Crv, b.opts.Size)
	if err != nil {
		return err
	}
	inter, err := CreateIntermediate(b.opts.Name, intKey.Public(), root, rootKey, b.now)
	if err != nil {
		return err
	}
	b.res.Root, b.res.Intermediate, b.res.RootFingerprint = root, inter, Fingerprint(root)
	b.add("Root certificate", b.paths.RootCert(), pemutil.EncodeCertificates(root), 0o600)
	if b.opts.Root == nil {
		pem, err := b.encryptKey(rootKey)
		if err != nil {
			return err
		}
		b.add("Root private key", b.paths.RootKey(), pem, 0o600)
	}
	b.add("Root fingerprint", "", nil, 0)
	b.add("Intermediate certificate", b.paths.IntermediateCert(), pemutil.EncodeCertificates(inter), 0o600)
	pem, err := b.encryptKey(intKey)
	if err != nil {
		return err
	}
	b.add("Intermediate private key", b.paths.IntermediateKey(), pem, 0o600)
	return nil
}

// dirs records the database and templates folders step creates.
func (b *builder) dirs() error {
	if !b.opts.NoDB {
		b.add("Database folder", b.paths.DBDir(), nil, os.ModeDir|0o700)
	}
	b.add("Templates folder", b.paths.TemplatesDir(), nil, os.ModeDir|0o700)
	return nil
}

// configs builds the provisioners, ca.json and defaults.json.
func (b *builder) configs() error {
	pw := b.opts.ProvisionerPassword
	if len(pw) == 0 {
		pw = b.opts.Password
	}
	provs, err := b.provisioners(pw)
	if err != nil {
		return err
	}
	caJSON, err := b.caConfig(provs)
	if err != nil {
		return err
	}
	defaults, err := b.defaults()
	if err != nil {
		return err
	}
	b.add("Default configuration", b.paths.Defaults(), defaults, 0o644)
	b.add("Certificate Authority configuration", b.paths.CAConfig(), caJSON, 0o644)
	return nil
}

// newJWKProvisionerKey makes the provisioner's EC P-256 key and encrypts it.
func newJWKProvisionerKey(password []byte) (*jose.JSONWebKey, string, error) {
	k, err := keys.Generate("EC", "P-256", 0)
	if err != nil {
		return nil, "", err
	}
	jwk, err := jose.NewJWK(k)
	if err != nil {
		return nil, "", err
	}
	enc, err := jose.EncryptJWK(jwk, password)
	if err != nil {
		return nil, "", err
	}
	return jose.Public(jwk), enc, nil
}

// writeAll writes files in order; on the first failure it removes the files
// and folders it created, so a failed init leaves nothing half-written.
func writeAll(files []File) error {
	var created []string
	for _, f := range files {
		if f.Path == "" {
			continue
		}
		var err error
		if f.perm&os.ModeDir != 0 {
			if _, statErr := os.Stat(f.Path); errors.Is(statErr, os.ErrNotExist) {
				created = append(created, f.Path)
			}
			err = os.MkdirAll(f.Path, f.perm.Perm())
		} else {
			if err = os.MkdirAll(filepath.Dir(f.Path), 0o700); err == nil {
				err = fileutil.WriteFile(f.Path, f.data, f.perm)
				created = append(created, f.Path)
			}
		}
		if err != nil {
			for i := len(created) - 1; i >= 0; i-- {
				os.Remove(created[i])
			}
			return fmt.Errorf("writing %s: %w", f.Path, err)
		}
	}
	return nil
}
