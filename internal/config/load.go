package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"time"
)

// Defaults step-ca applies when ca.json leaves a member out.
const (
	DefaultCommonName = "Step Online CA"
	DefaultBackdate   = time.Minute
)

// DefaultDNSNames are the names the CA answers to when dnsNames is empty.
func DefaultDNSNames() []string { return []string{"localhost", "127.0.0.1", "::1"} }

// DefaultTLS is the listener configuration `step ca init` writes.
func DefaultTLS() *TLS {
	return &TLS{
		CipherSuites: []string{
			"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
			"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
		},
		MinVersion: 1.2,
		MaxVersion: 1.3,
	}
}

// Load reads and parses ca.json. It does not validate: call Validate.
func Load(path string) (*CAConfig, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return Parse(b, path)
}

// Parse decodes ca.json content; path is only used in error messages.
// Errors in the JSON name the file, line and column.
func Parse(data []byte, path string) (*CAConfig, error) {
	if path == "" {
		path = CAConfigName
	}
	c := &CAConfig{}
	if err := decodeWithExtra(data, c); err != nil {
		return nil, jsonError(path, data, err)
	}
	c.Path = path
	return c, nil
}

// decodeWithExtra is json.Unmarshal into v, which must be a pointer to an
// object type, then the pass that keeps unknown members (fillExtra).
func decodeWithExtra(data []byte, v any) error {
	if k := jsonKind(bytes.TrimSpace(data)); k != "object" && json.Valid(data) {
		return fmt.Errorf("want a JSON object, found %s", k)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return err
	}
	fillExtra(data, reflect.ValueOf(v))
	return nil
}

// ApplyDefaults fills, in memory, what step-ca defaults at startup: DNS
// names, common name, TLS options and the backdate. A config meant to be
// written back should not go through it, or the defaults become explicit.
func (c *CAConfig) ApplyDefaults() {
	if len(c.DNSNames) == 0 {
		c.DNSNames = DefaultDNSNames()
	}
	if c.CommonName == "" {
		c.CommonName = DefaultCommonName
	}
	if c.TLS == nil {
		c.TLS = DefaultTLS()
	}
	if c.Authority == nil {
		c.Authority = &Authority{}
	}
	if c.Authority.Backdate == nil {
		c.Authority.Backdate = NewDuration(DefaultBackdate)
	}
}

// Marshal encodes c as Write does: indented by two spaces, newline-ended.
func Marshal(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// Write stores c at path atomically with mode 0600 (ca.json may hold a
// password), creating the directory if needed.
func Write(path string, c *CAConfig) error {
	b, err := Marshal(c)
	if err != nil {
		return fmt.Errorf("encoding %s: %w", path, err)
	}
	return writeFileAtomic(path, b, 0o600)
}

// writeFileAtomic writes to a temporary file in the same directory and
// renames it over path, so readers never see half a file.
func writeFileAtomic(path string, data []byte, perm os.FileMode) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(perm); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
