// Package pkitest gives a test package one PKI made by pki.Create (root,
// intermediate, JWK and ACME provisioners), created on first use and shared
// by every test of the package: pki.Create encrypts keys with a
// deliberately slow KDF, so making one per test would dominate the run.
// Tests only read it and edit their own in-memory copy of ca.json.
package pkitest

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stride-pki/stride/internal/config"
	"github.com/stride-pki/stride/internal/pki"
)

// Password encrypts the shared PKI's keys and its provisioner's key.
var Password = []byte("pw")

// Shared is one package's PKI; its zero value is ready, Name is the CA's name.
type Shared struct {
	Name  string
	once  sync.Once
	paths config.Paths
	err   error
}

// Get returns the PKI's paths, creating it on the first call: a CA at
// "ca.internal" (address :9443) with a JWK provisioner "admin" and an ACME
// provisioner "acme".
func (s *Shared) Get(t testing.TB) config.Paths {
	t.Helper()
	s.once.Do(func() {
		dir, err := os.MkdirTemp("", "stride-pkitest")
		if err != nil {
			s.err = err
			return
		}
		s.paths = config.SinglePaths(filepath.Join(dir, "stride"))
		_, s.err = pki.Create(s.paths, pki.Options{Name: s.Name, DNSNames: []string{"ca.internal"}, Address: ":9443",
			Provisioner: "admin", Password: Password, ACME: true, DeploymentType: "standalone"})
	})
	if s.err != nil {
		t.Fatal(s.err)
	}
	return s.paths
}

// Remove deletes the PKI, if it was made; call it from TestMain after m.Run.
func (s *Shared) Remove() {
	if s.paths.Base != "" {
		os.RemoveAll(filepath.Dir(s.paths.Base))
	}
}
