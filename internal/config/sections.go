package config

import "encoding/json"

// SSH is the SSH CA section: the signing keys and client-config helpers.
type SSH struct {
	HostKey          string   `json:"hostKey"`
	UserKey          string   `json:"userKey"`
	Keys             []SSHKey `json:"keys,omitempty"`
	AddUserPrincipal string   `json:"addUserPrincipal,omitempty"`
	AddUserCommand   string   `json:"addUserCommand,omitempty"`
	Bastion          *Bastion `json:"bastion,omitempty"`
	Extra            Extra    `json:"-"`
}

// SSHKey is an extra (federated) SSH CA public key.
type SSHKey struct {
	Type      string          `json:"type"` // "user" or "host"
	Federated bool            `json:"federated"`
	Key       json.RawMessage `json:"key"` // a JWK
	Extra     Extra           `json:"-"`
}

// Bastion is the jump host `step ssh config` writes into client configs.
type Bastion struct {
	Hostname string `json:"hostname"`
	User     string `json:"user,omitempty"`
	Port     string `json:"port,omitempty"`
	Command  string `json:"cmd,omitempty"`
	Flags    string `json:"flags,omitempty"`
	Extra    Extra  `json:"-"`
}

func (s SSH) MarshalJSON() ([]byte, error) {
	type plain SSH
	return marshalWithExtra(plain(s), s.Extra)
}

func (k SSHKey) MarshalJSON() ([]byte, error) {
	type plain SSHKey
	return marshalWithExtra(plain(k), k.Extra)
}

func (b Bastion) MarshalJSON() ([]byte, error) {
	type plain Bastion
	return marshalWithExtra(plain(b), b.Extra)
}

// Logger configures the request log: format "text", "json" or "common".
type Logger struct {
	Format      string `json:"format,omitempty"`
	TraceHeader string `json:"traceHeader,omitempty"`
	Extra       Extra  `json:"-"`
}

func (l Logger) MarshalJSON() ([]byte, error) {
	type plain Logger
	return marshalWithExtra(plain(l), l.Extra)
}

// Monitoring configures the New Relic middleware.
type Monitoring struct {
	Type  string `json:"type,omitempty"`
	Name  string `json:"name,omitempty"`
	Key   string `json:"key,omitempty"`
	Extra Extra  `json:"-"`
}

func (m Monitoring) MarshalJSON() ([]byte, error) {
	type plain Monitoring
	return marshalWithExtra(plain(m), m.Extra)
}

// Templates lists the SSH client and server config templates the CA renders
// for `step ssh config`, and data shared by them.
type Templates struct {
	SSH   *SSHTemplates   `json:"ssh,omitempty"`
	Data  json.RawMessage `json:"data,omitempty"`
	Extra Extra           `json:"-"`
}

// SSHTemplates splits the templates by the side they configure.
type SSHTemplates struct {
	User  []ConfigTemplate `json:"user"`
	Host  []ConfigTemplate `json:"host"`
	Extra Extra            `json:"-"`
}

// ConfigTemplate is one rendered file: Type is "snippet", "prepend-line",
// "file" or "directory"; Template is its source, Path its destination.
type ConfigTemplate struct {
	Name     string   `json:"name"`
	Type     string   `json:"type"`
	Template string   `json:"template"`
	Path     string   `json:"path"`
	Comment  string   `json:"comment"`
	Requires []string `json:"requires,omitempty"`
	Extra    Extra    `json:"-"`
}

func (t Templates) MarshalJSON() ([]byte, error) {
	type plain Templates
	return marshalWithExtra(plain(t), t.Extra)
}

func (t SSHTemplates) MarshalJSON() ([]byte, error) {
	type plain SSHTemplates
	return marshalWithExtra(plain(t), t.Extra)
}

func (t ConfigTemplate) MarshalJSON() ([]byte, error) {
	type plain ConfigTemplate
	return marshalWithExtra(plain(t), t.Extra)
}

// CRL configures the certificate revocation list (reference §10.1).
type CRL struct {
	Enabled          bool      `json:"enabled"`
	GenerateOnRevoke bool      `json:"generateOnRevoke,omitempty"`
	CacheDuration    *Duration `json:"cacheDuration,omitempty"`
	RenewPeriod      *Duration `json:"renewPeriod,omitempty"`
	IDPURL           string    `json:"idpURL,omitempty"`
	Extra            Extra     `json:"-"`
}

func (c CRL) MarshalJSON() ([]byte, error) {
	type plain CRL
	return marshalWithExtra(plain(c), c.Extra)
}
