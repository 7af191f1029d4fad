package pki

import (
	"encoding/json"
	"net"
	"path/filepath"
	"strings"

	"github.com/stride-pki/stride/internal/config"
)

// provisioners builds the JWK provisioner and, with --acme and --ssh, the
// ACME and SSHPOP ones, in the order step writes them.
func (b *builder) provisioners(password []byte) ([]config.Provisioner, error) {
	pub, encrypted, err := newJWKProvisionerKey(password)
	if err != nil {
		return nil, err
	}
	pubJSON, err := json.Marshal(pub)
	if err != nil {
		return nil, err
	}
	var sshClaims *config.Claims
	if b.opts.SSH {
		enabled := true
		sshClaims = &config.Claims{EnableSSHCA: &enabled}
	}
	jwk, err := config.NewProvisioner(
		config.ProvisionerCommon{Type: "JWK", Name: b.opts.Provisioner, Claims: sshClaims},
		config.JWKFields{Key: pubJSON, EncryptedKey: encrypted},
	)
	if err != nil {
		return nil, err
	}
	provs := []config.Provisioner{jwk}
	if b.opts.ACME {
		name := "acme"
		if b.opts.Provisioner == name {
			name = "acme-1" // step's rule on a clash
		}
		p, err := config.NewProvisioner(config.ProvisionerCommon{Type: "ACME", Name: name})
		if err != nil {
			return nil, err
		}
		provs = append(provs, p)
	}
	if b.opts.SSH {
		p, err := config.NewProvisioner(config.ProvisionerCommon{Type: "SSHPOP", Name: "sshpop", Claims: sshClaims})
		if err != nil {
			return nil, err
		}
		provs = append(provs, p)
	}
	return provs, nil
}

// caConfig returns ca.json with every member step's init writes that
// applies, and a bbolt database under db/.
func (b *builder) caConfig(provs []config.Provisioner) ([]byte, error) {
	c := &config.CAConfig{
		Root:             config.Roots{Paths: []string{b.paths.RootCert()}},
		FederatedRoots:   nil,
		IntermediateCert: b.paths.IntermediateCert(),
		IntermediateKey:  b.paths.IntermediateKey(),
		Address:          b.opts.Address,
		DNSNames:         b.opts.DNSNames,
		Logger:           &config.Logger{Format: "text"},
		Authority: &config.Authority{
			DeploymentType: config.DeploymentStandalone,
			Provisioners:   provs,
		},
		TLS: config.DefaultTLS(),
	}
	if !b.opts.NoDB {
		c.DB = &config.DB{Type: "bbolt", DataSource: filepath.Join(b.paths.DBDir(), "stride.db")}
	}
	if b.opts.SSH {
		c.SSH = &config.SSH{
			HostKey: filepath.Join(b.paths.SecretsDir(), config.SSHHostKeyName),
			UserKey: filepath.Join(b.paths.SecretsDir(), config.SSHUserKeyName),
		}
		c.Templates = sshConfigTemplates()
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return config.Marshal(c)
}

// sshConfigTemplates lists the files written to templates/ssh/, with the
// destinations the step CLI's `ssh config` expects.
func sshConfigTemplates() *config.Templates {
	t := func(name, typ, dest string, requires ...string) config.ConfigTemplate {
		return config.ConfigTemplate{Name: name, Type: typ, Template: "templates/ssh/" + name,
			Path: dest, Comment: "#", Requires: requires}
	}
	return &config.Templates{SSH: &config.SSHTemplates{
		User: []config.ConfigTemplate{
			t("config.tpl", "snippet", "~/.ssh/config"),
			t("step_includes.tpl", "prepend-line", "${STEPPATH}/ssh/includes"),
			t("step_config.tpl", "file", "ssh/config"),
			t("known_hosts.tpl", "file", "ssh/known_hosts"),
		},
		Host: []config.ConfigTemplate{
			t("sshd_config.tpl", "snippet", "/etc/ssh/sshd_config", "Certificate", "Key"),
			t("ca.tpl", "snippet", "/etc/ssh/ca.pub"),
		},
	}}
}

// defaults returns defaults.json: the CA URL built from the first DNS name
// and the listen port, the root's fingerprint and the file paths.
func (b *builder) defaults() ([]byte, error) {
	b.res.CAURL = CAURL(b.opts.DNSNames[0], b.opts.Address)
	return config.Marshal(&config.DefaultsFile{
		CAURL:       b.res.CAURL,
		CAConfig:    b.paths.CAConfig(),
		Fingerprint: b.res.RootFingerprint,
		Root:        b.paths.RootCert(),
	})
}

// CAURL is https://<name>[:port], the port left out when it is 443.
func CAURL(name, address string) string {
	_, port, _ := net.SplitHostPort(address)
	host := name
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port == "" || port == "443" {
		return "https://" + host
	}
	return "https://" + host + ":" + port
}
