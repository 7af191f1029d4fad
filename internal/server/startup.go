package server

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"io"
	"log/slog"
	"strings"

	"github.com/stride-pki/stride/internal/config"
)

// NewLogger builds the CA's logger from ca.json's "logger": "json" writes
// JSON lines; "text" and "common" (no slog equivalent) write logfmt-style
// text.
func NewLogger(w io.Writer, c *config.Logger) *slog.Logger {
	if c != nil && strings.EqualFold(c.Format, "json") {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}

// StartupInfo is what the CA says about itself when it starts, as step-ca
// does: enough for an operator to bootstrap a client.
type StartupInfo struct {
	Version    string
	ConfigPath string
	URL        string // primary URL, https://<dnsNames[0]>:<port>
	Roots      []*x509.Certificate
	Address    string
	Insecure   string
	Metrics    string
}

// LogStartup writes the startup lines.
func LogStartup(log *slog.Logger, info StartupInfo) {
	log.Info("starting Stride CA", "version", info.Version)
	log.Info("config file", "path", info.ConfigPath)
	log.Info("the primary server URL is " + info.URL)
	log.Info("root certificates are available at " + info.URL + "/roots.pem")
	for _, r := range info.Roots {
		log.Info("X.509 root fingerprint", "sha256", Fingerprint(r), "subject", r.Subject.CommonName)
	}
	log.Info("serving HTTPS", "address", info.Address)
	if info.Insecure != "" {
		log.Info("serving plain HTTP", "address", info.Insecure)
	}
	if info.Metrics != "" {
		log.Info("serving metrics", "address", info.Metrics)
	}
}

// Fingerprint is the hex SHA-256 of a certificate's DER, the form
// `step ca bootstrap --fingerprint` and /root/{sha} use.
func Fingerprint(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	return hex.EncodeToString(sum[:])
}
