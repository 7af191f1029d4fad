package config

import (
	"fmt"
	"os"
)

// DefaultsFile is defaults.json (reference §3.4): the CA a client talks to.
// Every top-level member also serves as the default of the flag with the
// same name, so members Stride does not model are kept in Extra.
type DefaultsFile struct {
	CAURL       string `json:"ca-url,omitempty"`
	CAConfig    string `json:"ca-config,omitempty"`
	Fingerprint string `json:"fingerprint,omitempty"`
	Root        string `json:"root,omitempty"`
	RedirectURL string `json:"redirect-url,omitempty"`
	Extra       Extra  `json:"-"`
}

func (d DefaultsFile) MarshalJSON() ([]byte, error) {
	type plain DefaultsFile
	return marshalWithExtra(plain(d), d.Extra)
}

// LoadDefaults reads defaults.json. A missing file is an error that
// matches os.ErrNotExist, so callers can treat it as "no defaults".
func LoadDefaults(path string) (*DefaultsFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return ParseDefaults(b, path)
}

// ParseDefaults decodes defaults.json content; path names it in errors.
func ParseDefaults(data []byte, path string) (*DefaultsFile, error) {
	d := &DefaultsFile{}
	if err := decodeWithExtra(data, d); err != nil {
		return nil, jsonError(path, data, err)
	}
	return d, nil
}

// WriteDefaults stores d at path atomically, 0644 as step does: it holds
// no secret and other local users' tools may read it.
func WriteDefaults(path string, d *DefaultsFile) error {
	b, err := Marshal(d)
	if err != nil {
		return fmt.Errorf("encoding %s: %w", path, err)
	}
	return writeFileAtomic(path, b, 0o644)
}
