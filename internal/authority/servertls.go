package authority

import (
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"net"
	"strings"
	"time"

	"github.com/stride-pki/stride/internal/config"
	"github.com/stride-pki/stride/internal/keys"
)

// ServerCertificateLifetime is the life of the CA's own TLS certificate, as
// step-ca's: a day, renewed in process before it ends.
const ServerCertificateLifetime = 24 * time.Hour

// ServerCertificate mints the CA's own TLS certificate from the intermediate:
// EC P-256, CN = commonName, SANs = dnsNames, backdated a minute, with the
// intermediates in the chain so clients that trust only the root connect.
func (a *Authority) ServerCertificate() (*tls.Certificate, error) {
	key, err := keys.Generate("EC", "P-256", 0)
	if err != nil {
		return nil, err
	}
	serial, err := newSerial(a.now())
	if err != nil {
		return nil, err
	}
	now := a.now().UTC()
	cn := a.cfg.CommonName
	if cn == "" {
		cn = config.DefaultCommonName
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    now.Add(-time.Minute),
		NotAfter:     now.Add(ServerCertificateLifetime),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	names := a.cfg.DNSNames
	if len(names) == 0 {
		names = config.DefaultDNSNames()
	}
	for _, n := range names {
		if ip := net.ParseIP(strings.Trim(n, "[]")); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, a.issuer, key.Public(), a.signer)
	if err != nil {
		return nil, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	chain := [][]byte{der}
	for _, c := range a.intermediates {
		chain = append(chain, c.Raw)
	}
	return &tls.Certificate{Certificate: chain, PrivateKey: key, Leaf: leaf}, nil
}
