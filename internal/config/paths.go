package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Paths locates the files of one authority under $STRIDEPATH, with step's
// layout: certs/ config/ secrets/ db/ templates/. Without contexts the
// authority lives at the base itself; with a context selected it lives in
// authorities/<name>/ and the profile in profiles/<name>/ (reference §3.6).
type Paths struct {
	Base      string // $STRIDEPATH
	Authority string // directory holding certs/ config/ secrets/ db/ templates/
	Profile   string // profile directory ("" without contexts)
	Context   string // selected context name ("" without contexts)
}

// Step's file names, exactly.
const (
	RootCertName         = "root_ca.crt"
	IntermediateCertName = "intermediate_ca.crt"
	RootKeyName          = "root_ca_key"
	IntermediateKeyName  = "intermediate_ca_key"
	SSHHostPubName       = "ssh_host_ca_key.pub"
	SSHUserPubName       = "ssh_user_ca_key.pub"
	SSHHostKeyName       = "ssh_host_ca_key"
	SSHUserKeyName       = "ssh_user_ca_key"
	CAConfigName         = "ca.json"
	DefaultsName         = "defaults.json"
	ContextsName         = "contexts.json"
	CurrentContextName   = "current-context.json"
)

// SinglePaths is the layout without contexts: everything under base.
func SinglePaths(base string) Paths { return Paths{Base: base, Authority: base} }

// ContextPaths is the layout for a named context.
func ContextPaths(base string, c Context, name string) Paths {
	p := Paths{Base: base, Authority: filepath.Join(base, "authorities", c.Authority), Context: name}
	if c.Profile != "" {
		p.Profile = filepath.Join(base, "profiles", c.Profile)
	}
	return p
}

func (p Paths) CertsDir() string     { return filepath.Join(p.Authority, "certs") }
func (p Paths) SecretsDir() string   { return filepath.Join(p.Authority, "secrets") }
func (p Paths) ConfigDir() string    { return filepath.Join(p.Authority, "config") }
func (p Paths) DBDir() string        { return filepath.Join(p.Authority, "db") }
func (p Paths) TemplatesDir() string { return filepath.Join(p.Authority, "templates") }
func (p Paths) CAConfig() string     { return filepath.Join(p.ConfigDir(), CAConfigName) }
func (p Paths) Defaults() string     { return filepath.Join(p.ConfigDir(), DefaultsName) }
func (p Paths) RootCert() string     { return filepath.Join(p.CertsDir(), RootCertName) }
func (p Paths) IntermediateCert() string {
	return filepath.Join(p.CertsDir(), IntermediateCertName)
}
func (p Paths) RootKey() string         { return filepath.Join(p.SecretsDir(), RootKeyName) }
func (p Paths) IntermediateKey() string { return filepath.Join(p.SecretsDir(), IntermediateKeyName) }

// ProfileDefaults is the profile's defaults.json ("" without a profile).
func (p Paths) ProfileDefaults() string {
	if p.Profile == "" {
		return ""
	}
	return filepath.Join(p.Profile, "config", DefaultsName)
}

// Context is one entry of contexts.json: the directory names, under
// authorities/ and profiles/, of the context's authority and profile.
type Context struct {
	Authority string `json:"authority"`
	Profile   string `json:"profile,omitempty"`
	Extra     Extra  `json:"-"`
}

func (c Context) MarshalJSON() ([]byte, error) {
	type plain Context
	return marshalWithExtra(plain(c), c.Extra)
}

// ContextsFile is $STRIDEPATH/contexts.json: context name -> entry.
type ContextsFile map[string]Context

// CurrentContext is $STRIDEPATH/current-context.json.
type CurrentContext struct {
	Context string `json:"context"`
}

// ResolvePaths picks the authority for a command: the named context when one
// is given, else the current context when contexts exist, else the base.
func ResolvePaths(base, contextName string) (Paths, error) {
	ctxs, err := LoadContexts(base)
	if err != nil {
		return Paths{}, err
	}
	if contextName == "" {
		if len(ctxs) == 0 {
			return SinglePaths(base), nil
		}
		cur, err := LoadCurrentContext(base)
		if err != nil {
			return Paths{}, err
		}
		if cur == "" {
			return SinglePaths(base), nil
		}
		contextName = cur
	}
	c, ok := ctxs[contextName]
	if !ok {
		return Paths{}, fmt.Errorf("context %q not found in %s", contextName, filepath.Join(base, ContextsName))
	}
	return ContextPaths(base, c, contextName), nil
}

// LoadContexts reads contexts.json; a missing file is an empty set.
func LoadContexts(base string) (ContextsFile, error) {
	path := filepath.Join(base, ContextsName)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return ContextsFile{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	var c ContextsFile
	if err := decodeWithExtra(b, &c); err != nil {
		return nil, jsonError(path, b, err)
	}
	if c == nil {
		c = ContextsFile{}
	}
	return c, nil
}

// LoadCurrentContext returns the selected context name, "" if none.
func LoadCurrentContext(base string) (string, error) {
	path := filepath.Join(base, CurrentContextName)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("reading %s: %w", path, err)
	}
	var c CurrentContext
	if err := json.Unmarshal(b, &c); err != nil {
		return "", jsonError(path, b, err)
	}
	return c.Context, nil
}
