package certcmd

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"math/big"
	"net"
	"strings"
	"time"
)

// extension prints one extension of c (parsed values come from c; critical
// and raw value from the extension itself).
func (p *printer) extension(c *x509.Certificate, id asn1.ObjectIdentifier, critical bool, value []byte) {
	crit := ""
	if critical {
		crit = " critical"
	}
	head := func(name string) { p.line(12, "%s:%s", name, crit) }
	switch {
	case id.Equal(oidKeyUsage):
		head("X509v3 Key Usage")
		p.line(16, "%s", strings.Join(keyUsageLabels(c.KeyUsage), ", "))
	case id.Equal(oidEKU):
		head("X509v3 Extended Key Usage")
		p.line(16, "%s", strings.Join(ekuLabels(c), ", "))
	case id.Equal(oidBasicConstraints):
		head("X509v3 Basic Constraints")
		p.line(16, "%s", basicConstraintsText(c))
	case id.Equal(oidSKI):
		head("X509v3 Subject Key Identifier")
		p.line(16, "%s", upperHex(c.SubjectKeyId))
	case id.Equal(oidAKI):
		head("X509v3 Authority Key Identifier")
		p.line(16, "%s", upperHex(c.AuthorityKeyId))
	case id.Equal(oidSAN):
		head("X509v3 Subject Alternative Name")
		p.generalNames(16, c.DNSNames, c.EmailAddresses, c.IPAddresses, urisOf(c))
	case id.Equal(oidAIA):
		head("Authority Information Access")
		for _, u := range c.OCSPServer {
			p.line(16, "OCSP - URI:%s", u)
		}
		for _, u := range c.IssuingCertificateURL {
			p.line(16, "CA Issuers - URI:%s", u)
		}
	case id.Equal(oidPolicies):
		head("X509v3 Certificate Policies")
		for _, oid := range c.PolicyIdentifiers {
			p.line(16, "Policy: %s", oid)
		}
	case id.Equal(oidCRLDP):
		head("X509v3 CRL Distribution Points")
		p.line(16, "Full Name:")
		for _, u := range c.CRLDistributionPoints {
			p.line(18, "URI:%s", u)
		}
	case id.Equal(oidNameConstraints):
		head("X509v3 Name Constraints")
		p.nameConstraints(c)
	case id.Equal(oidStepProvisioner):
		head("X509v3 Step Provisioner")
		p.provisioner(findProvisioner(c), value)
	default:
		head(id.String())
		p.line(16, "%s", printable(value))
	}
}

func keyUsageLabels(ku x509.KeyUsage) []string {
	var out []string
	for _, b := range keyUsageBits {
		if ku&b.bit != 0 {
			out = append(out, b.text)
		}
	}
	return out
}

func ekuLabels(c *x509.Certificate) []string {
	var out []string
	for _, u := range c.ExtKeyUsage {
		out = append(out, ekuNames[u].text)
	}
	for _, oid := range c.UnknownExtKeyUsage {
		out = append(out, oid.String())
	}
	return out
}

func basicConstraintsText(c *x509.Certificate) string {
	if !c.IsCA {
		return "CA:FALSE"
	}
	if c.MaxPathLen > 0 || c.MaxPathLen == 0 && c.MaxPathLenZero {
		return fmt.Sprintf("CA:TRUE, pathlen:%d", c.MaxPathLen)
	}
	return "CA:TRUE"
}

func upperHex(b []byte) string {
	parts := make([]string, len(b))
	for i, x := range b {
		parts[i] = fmt.Sprintf("%02X", x)
	}
	return strings.Join(parts, ":")
}

func urisOf(c *x509.Certificate) []string {
	out := make([]string, 0, len(c.URIs))
	for _, u := range c.URIs {
		out = append(out, u.String())
	}
	return out
}

// generalNames prints one line per kind of name, as step does.
func (p *printer) generalNames(indent int, dns, emails []string, ips []net.IP, uris []string) {
	group := func(prefix string, vals []string) {
		if len(vals) == 0 {
			return
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = prefix + v
		}
		p.line(indent, "%s", strings.Join(parts, ", "))
	}
	ipStrs := make([]string, len(ips))
	for i, ip := range ips {
		ipStrs[i] = ip.String()
	}
	group("DNS:", dns)
	group("email:", emails)
	group("IP Address:", ipStrs)
	group("URI:", uris)
}

func (p *printer) nameConstraints(c *x509.Certificate) {
	nets := func(ns []*net.IPNet) []string {
		out := make([]string, len(ns))
		for i, n := range ns {
			out[i] = n.String()
		}
		return out
	}
	if len(c.PermittedDNSDomains)+len(c.PermittedEmailAddresses)+len(c.PermittedIPRanges)+len(c.PermittedURIDomains) > 0 {
		p.line(16, "Permitted:")
		p.constraintNames(c.PermittedDNSDomains, c.PermittedEmailAddresses, nets(c.PermittedIPRanges), c.PermittedURIDomains)
	}
	if len(c.ExcludedDNSDomains)+len(c.ExcludedEmailAddresses)+len(c.ExcludedIPRanges)+len(c.ExcludedURIDomains) > 0 {
		p.line(16, "Excluded:")
		p.constraintNames(c.ExcludedDNSDomains, c.ExcludedEmailAddresses, nets(c.ExcludedIPRanges), c.ExcludedURIDomains)
	}
}

func (p *printer) constraintNames(dns, emails, ips, uris []string) {
	for _, kind := range []struct {
		prefix string
		vals   []string
	}{{"DNS: ", dns}, {"Email: ", emails}, {"IP Range: ", ips}, {"URI: ", uris}} {
		for _, v := range kind.vals {
			p.line(18, "%s%s", kind.prefix, v)
		}
	}
}

func (p *printer) provisioner(pe *provisionerExt, raw []byte) {
	if pe == nil {
		p.hexBlock(16, 18, raw)
		return
	}
	p.line(16, "Type: %s", pe.typeName())
	p.line(16, "Name: %s", pe.Name)
	if len(pe.CredentialID) > 0 {
		p.line(16, "CredentialID: %s", pe.CredentialID)
	}
	for i := 0; i+1 < len(pe.KeyValuePairs); i += 2 {
		p.line(16, "%s: %s", pe.KeyValuePairs[i], pe.KeyValuePairs[i+1])
	}
}

// csrExtensionsAsCert parses a CSR's requested extensions with crypto/x509's
// certificate parser, by placing them in a throwaway self-signed certificate:
// Go parses key usages, constraints and the like only for certificates.
func csrExtensionsAsCert(csr *x509.CertificateRequest) *x509.Certificate {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return &x509.Certificate{}
	}
	tmpl := &x509.Certificate{
		SerialNumber:    big.NewInt(1),
		NotBefore:       time.Unix(0, 0),
		NotAfter:        time.Unix(1, 0),
		ExtraExtensions: csr.Extensions,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return &x509.Certificate{DNSNames: csr.DNSNames, EmailAddresses: csr.EmailAddresses, IPAddresses: csr.IPAddresses, URIs: csr.URIs}
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return &x509.Certificate{DNSNames: csr.DNSNames, EmailAddresses: csr.EmailAddresses, IPAddresses: csr.IPAddresses, URIs: csr.URIs}
	}
	return c
}

// printable shows raw bytes as text with "." for what cannot be printed, the
// way step shows extensions it does not know.
func printable(b []byte) string {
	out := make([]byte, len(b))
	for i, x := range b {
		if x < 0x20 || x > 0x7e {
			x = '.'
		}
		out[i] = x
	}
	return string(out)
}
