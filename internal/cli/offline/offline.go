// Package offline signs a certificate request with a CA's own keys, in
// process, the way stride-ca would (`stride ca certificate|sign --offline`):
// it builds the authority from ca.json like the server does, over the CA's
// database, so the one-time token is verified and the certificate is
// recorded exactly as for an online issuance. It is the CLI's one door to
// the server's build; see docs/architecture.md.
package offline

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/stride-pki/stride/internal/authority"
	"github.com/stride-pki/stride/internal/config"
	"github.com/stride-pki/stride/internal/pemutil"
	"github.com/stride-pki/stride/internal/server"
	"github.com/stride-pki/stride/internal/storage"
	"github.com/stride-pki/stride/internal/storage/open"
)

// Request is one offline signing.
type Request struct {
	Config *config.CAConfig
	Path   string // ca.json's path, for messages
	Base   string // where relative paths of ca.json resolve ($STRIDEPATH)
	// Password decrypts the intermediate key; when empty, ca.json's
	// "password", else Prompt (nil: no terminal) is asked.
	Password []byte
	Prompt   func(what string) ([]byte, error)

	CSR                 *x509.CertificateRequest
	OTT                 string
	NotBefore, NotAfter string
	TemplateData        json.RawMessage
}

// Sign builds the CA and signs; it returns the leaf then the intermediates.
func Sign(ctx context.Context, r Request) ([]*x509.Certificate, error) {
	cfg := r.Config
	pw := r.Password
	if len(pw) == 0 && cfg.Password == "" && r.Prompt != nil {
		keyPath := cfg.IntermediateKey
		if keyPath != "" && !filepath.IsAbs(keyPath) {
			keyPath = filepath.Join(r.Base, keyPath)
		}
		if data, err := pemutil.ReadFile(keyPath); err == nil && pemutil.IsEncrypted(data) {
			if pw, err = r.Prompt(keyPath); err != nil {
				return nil, err
			}
		}
	}
	store, err := open.FromConfig(cfg, r.Base)
	if errors.Is(err, storage.ErrLocked) {
		return nil, fmt.Errorf("the database of %s is locked by a running stride-ca: stop the CA, or leave out --offline to ask it", r.Path)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", r.Path, err)
	}
	defer store.Close()
	// Tokens are refused when issued before the CA started: the token was
	// minted moments ago in this process, so the CA "started" a minute back.
	started := time.Now().Add(-time.Minute)
	ca, err := server.Build(cfg, r.Base, server.Secrets{Password: pw}, store, started, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", r.Path, err)
	}
	issued, err := ca.Authority.Sign(ctx, authority.SignRequest{
		CSR: r.CSR, OTT: r.OTT, NotBefore: r.NotBefore, NotAfter: r.NotAfter, TemplateData: r.TemplateData,
	})
	if err != nil {
		return nil, err
	}
	return append([]*x509.Certificate{issued.Certificate}, issued.Intermediates...), nil
}
