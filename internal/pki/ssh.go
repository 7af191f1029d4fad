package pki

import (
	"embed"
	"fmt"
	"path/filepath"

	"golang.org/x/crypto/ssh"

	"github.com/stride-pki/stride/internal/config"
	"github.com/stride-pki/stride/internal/keys"
)

// sshTemplates are Stride's own SSH client and server configuration
// templates, written under templates/ssh/ with --ssh and referenced from
// ca.json's "templates" the way step-ca expects.
//
//go:embed sshtemplates/*.tpl
var sshTemplates embed.FS

// sshKeys creates the SSH user and host CA keys (EC P-256) when --ssh is set.
func (b *builder) sshKeys() error {
	if !b.opts.SSH {
		return nil
	}
	for _, kind := range []struct{ label, pub, key string }{
		{"SSH user", config.SSHUserPubName, config.SSHUserKeyName},
		{"SSH host", config.SSHHostPubName, config.SSHHostKeyName},
	} {
		k, err := keys.Generate("EC", "P-256", 0)
		if err != nil {
			return err
		}
		pub, err := ssh.NewPublicKey(k.Public())
		if err != nil {
			return fmt.Errorf("%s CA key: %w", kind.label, err)
		}
		pem, err := b.encryptKey(k)
		if err != nil {
			return err
		}
		b.add(kind.label+" public key", filepath.Join(b.paths.CertsDir(), kind.pub), ssh.MarshalAuthorizedKey(pub), 0o600)
		b.add(kind.label+" private key", filepath.Join(b.paths.SecretsDir(), kind.key), pem, 0o600)
	}
	if !b.opts.PKIOnly {
		entries, err := sshTemplates.ReadDir("sshtemplates")
		if err != nil {
			return err
		}
		for _, e := range entries {
			data, err := sshTemplates.ReadFile("sshtemplates/" + e.Name())
			if err != nil {
				return err
			}
			b.add("", filepath.Join(b.paths.TemplatesDir(), "ssh", e.Name()), data, 0o644)
		}
	}
	return nil
}
