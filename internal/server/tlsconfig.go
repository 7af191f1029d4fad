package server

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"

	"github.com/stride-pki/stride/internal/config"
)

// TLSConfig builds the HTTPS listener's tls.Config from ca.json's "tls"
// (nil or zero members take step's defaults: TLS 1.2 to 1.3, the two ECDHE
// ECDSA suites). Certificates stays empty and getCert answers every
// handshake, so a client that sends no SNI (an IP-only URL) still gets the
// CA's certificate. Clients may present a certificate; when they do it must
// chain to clientCAs (mTLS renew, rekey and revoke rely on that).
//
// Go's server never renegotiates, so "renegotiation" is accepted and has no
// effect; cipherSuites only govern TLS 1.2 (Go fixes the TLS 1.3 suites).
func TLSConfig(c *config.TLS, getCert func(*tls.ClientHelloInfo) (*tls.Certificate, error), clientCAs *x509.CertPool) (*tls.Config, error) {
	def := config.DefaultTLS()
	if c == nil {
		c = def
	}
	minV, err := tlsVersion(c.MinVersion, def.MinVersion)
	if err != nil {
		return nil, fmt.Errorf("tls.minVersion: %w", err)
	}
	maxV, err := tlsVersion(c.MaxVersion, def.MaxVersion)
	if err != nil {
		return nil, fmt.Errorf("tls.maxVersion: %w", err)
	}
	if minV > maxV {
		return nil, fmt.Errorf("tls.minVersion %v is above tls.maxVersion %v", c.MinVersion, c.MaxVersion)
	}
	names := c.CipherSuites
	if len(names) == 0 {
		names = def.CipherSuites
	}
	suites, err := cipherSuites(names)
	if err != nil {
		return nil, err
	}
	return &tls.Config{
		MinVersion:     minV,
		MaxVersion:     maxV,
		CipherSuites:   suites,
		GetCertificate: getCert,
		ClientAuth:     tls.VerifyClientCertIfGiven,
		ClientCAs:      clientCAs,
	}, nil
}

// tlsVersion maps step's JSON numbers (1.0 … 1.3) to crypto/tls constants;
// 0 (absent) takes def.
func tlsVersion(v, def config.TLSVersion) (uint16, error) {
	if v == 0 {
		v = def
	}
	switch v {
	case 1.0:
		return tls.VersionTLS10, nil
	case 1.1:
		return tls.VersionTLS11, nil
	case 1.2:
		return tls.VersionTLS12, nil
	case 1.3:
		return tls.VersionTLS13, nil
	}
	return 0, fmt.Errorf("unsupported version %v (want 1.0, 1.1, 1.2 or 1.3)", float64(v))
}

// cipherSuites resolves suite names as Go spells them (which are the IANA
// names step writes in ca.json), insecure ones included since an operator
// may need them for an old client.
func cipherSuites(names []string) ([]uint16, error) {
	known := map[string]uint16{}
	for _, s := range append(tls.CipherSuites(), tls.InsecureCipherSuites()...) {
		known[s.Name] = s.ID
	}
	out := make([]uint16, 0, len(names))
	for _, n := range names {
		id, ok := known[n]
		if !ok {
			return nil, fmt.Errorf("tls.cipherSuites: unknown cipher suite %q", n)
		}
		out = append(out, id)
	}
	return out, nil
}
