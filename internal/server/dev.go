package server

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/stride-pki/stride/internal/config"
	"github.com/stride-pki/stride/internal/fileutil"
	"github.com/stride-pki/stride/internal/pemutil"
	"github.com/stride-pki/stride/internal/pki"
)

// Dev mode: a throwaway PKI for trying Stride. Its password is kept beside
// it (secrets/dev-password, 0600) so a second --dev run reuses the PKI.
const (
	DevAddress     = "127.0.0.1:9000"
	DevProvisioner = "admin"
	devMarker      = "dev-password"
)

// DevPKI is what `stride-ca --dev` prints and runs.
type DevPKI struct {
	ConfigPath, PasswordFile, RootCert, Fingerprint, URL string
	Password                                             []byte
	Created                                              bool
}

// DevSetup returns the dev PKI in dir, creating it on first use. A folder
// holding a PKI that --dev did not make is refused, so --dev never touches a
// real CA.
func DevSetup(dir string) (*DevPKI, error) {
	paths := config.SinglePaths(dir)
	pwFile := filepath.Join(paths.SecretsDir(), devMarker)
	d := &DevPKI{ConfigPath: paths.CAConfig(), PasswordFile: pwFile, RootCert: paths.RootCert(),
		URL: pki.CAURL("127.0.0.1", DevAddress)}
	if pw, err := os.ReadFile(pwFile); err == nil {
		d.Password = pw
		root, err := rootFingerprint(paths.RootCert())
		if err != nil {
			return nil, err
		}
		d.Fingerprint = root
		return d, nil
	}
	if _, err := os.Stat(paths.CAConfig()); err == nil {
		return nil, fmt.Errorf("%s holds a PKI that --dev did not create; pass --dev-path with an empty folder", dir)
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	raw := make([]byte, 18)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	d.Password = []byte(base64.RawURLEncoding.EncodeToString(raw))
	res, err := pki.Create(paths, pki.Options{Name: "Stride Dev", DNSNames: []string{"127.0.0.1", "localhost"},
		Address: DevAddress, Provisioner: DevProvisioner, Password: d.Password, DeploymentType: "standalone"})
	if err != nil {
		return nil, err
	}
	if err := fileutil.WriteFile(pwFile, d.Password, 0o600); err != nil {
		return nil, err
	}
	d.Fingerprint, d.Created = res.RootFingerprint, true
	return d, nil
}

func rootFingerprint(path string) (string, error) {
	c, err := pemutil.ReadCertificate(path)
	if err != nil {
		return "", err
	}
	return pki.Fingerprint(c), nil
}
