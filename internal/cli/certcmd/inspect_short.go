package certcmd

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/url"
	"time"
)

// The --short form: one block per certificate with what people look for
// first (kind, key, serial, names, issuer, provisioner, validity).

func writeCertShort(w io.Writer, c *x509.Certificate) {
	fmt.Fprintf(w, "X.509v3 %s (%s) [Serial: %s]\n", certKind(c), keyDesc(c.PublicKey), abbrev(c.SerialNumber.String()))
	writeNameList(w, "Subject:", c.Subject.CommonName, c.DNSNames, c.IPAddresses, c.EmailAddresses, c.URIs)
	fmt.Fprintf(w, "  %-12s %s\n", "Issuer:", issuerLabel(c))
	if pe := findProvisioner(c); pe != nil {
		if len(pe.CredentialID) > 0 {
			fmt.Fprintf(w, "  %-12s %s [ID: %s]\n", "Provisioner:", pe.Name, abbrev(string(pe.CredentialID)))
		} else {
			fmt.Fprintf(w, "  %-12s %s\n", "Provisioner:", pe.Name)
		}
	}
	fmt.Fprintf(w, "  %-12s %s\n", "Valid from:", c.NotBefore.UTC().Format(time.RFC3339))
	fmt.Fprintf(w, "  %11s  %s\n", "to:", c.NotAfter.UTC().Format(time.RFC3339))
}

func writeCSRShort(w io.Writer, csr *x509.CertificateRequest) {
	fmt.Fprintf(w, "X.509v3 Certificate Signing Request (%s)\n", keyDesc(csr.PublicKey))
	writeNameList(w, "Subject:", csr.Subject.CommonName, csr.DNSNames, csr.IPAddresses, csr.EmailAddresses, csr.URIs)
}

// writeNameList prints the common name and then every SAN not already shown.
func writeNameList(w io.Writer, label, cn string, dns []string, ips []net.IP, emails []string, uris []*url.URL) {
	var names []string
	seen := map[string]bool{}
	add := func(s string) {
		if s != "" && !seen[s] {
			seen[s] = true
			names = append(names, s)
		}
	}
	add(cn)
	for _, d := range dns {
		add(d)
	}
	for _, ip := range ips {
		add(ip.String())
	}
	for _, e := range emails {
		add(e)
	}
	for _, u := range uris {
		add(u.String())
	}
	for i, n := range names {
		if i == 0 {
			fmt.Fprintf(w, "  %-12s %s\n", label, n)
		} else {
			fmt.Fprintf(w, "  %-12s %s\n", "", n)
		}
	}
}

func issuerLabel(c *x509.Certificate) string {
	if c.Issuer.CommonName != "" {
		return c.Issuer.CommonName
	}
	return dnString(c.Issuer, ",")
}

// certKind names the certificate the way step's summary does.
func certKind(c *x509.Certificate) string {
	switch {
	case c.IsCA && bytes.Equal(c.RawSubject, c.RawIssuer):
		return "Root CA Certificate"
	case c.IsCA:
		return "Intermediate CA Certificate"
	}
	return "TLS Certificate"
}

func keyDesc(pub any) string {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA %d", k.N.BitLen())
	case *ecdsa.PublicKey:
		return "ECDSA " + k.Curve.Params().Name
	case ed25519.PublicKey:
		return "Ed25519 256"
	}
	return "unknown key"
}

// abbrev keeps the first and last four characters of a long value.
func abbrev(s string) string {
	if len(s) <= 11 {
		return s
	}
	return s[:4] + "..." + s[len(s)-4:]
}
