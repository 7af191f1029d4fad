package policy

import (
	"crypto/x509"
	"net"
	"net/netip"
	"net/url"
	"strings"
)

// Names is every name a certificate would carry: the subject common name
// and the SANs. It is what the X.509 policy judges.
type Names struct {
	CommonName     string
	DNSNames       []string
	IPAddresses    []net.IP
	EmailAddresses []string
	URIs           []*url.URL
}

// NamesFromCertificate takes the names of a (to-be-signed) certificate.
func NamesFromCertificate(cert *x509.Certificate) Names {
	return Names{
		CommonName:     cert.Subject.CommonName,
		DNSNames:       cert.DNSNames,
		IPAddresses:    cert.IPAddresses,
		EmailAddresses: cert.EmailAddresses,
		URIs:           cert.URIs,
	}
}

// NamesFromCSR takes the names a certificate request asks for.
func NamesFromCSR(csr *x509.CertificateRequest) Names {
	return Names{
		CommonName:     csr.Subject.CommonName,
		DNSNames:       csr.DNSNames,
		IPAddresses:    csr.IPAddresses,
		EmailAddresses: csr.EmailAddresses,
		URIs:           csr.URIs,
	}
}

// SplitSANs sorts untyped names (token SANs, ACME identifiers) into their
// types the way step does: an IP address, else a URI (it has a scheme), else
// an email (it has an '@'), else a DNS name.
func SplitSANs(sans []string) Names {
	var n Names
	for _, s := range sans {
		c := classify(s)
		switch c.typ {
		case IP:
			n.IPAddresses = append(n.IPAddresses, net.IP(c.addr.AsSlice()))
		case URI:
			n.URIs = append(n.URIs, c.uri)
		case Email:
			n.EmailAddresses = append(n.EmailAddresses, s)
		default:
			n.DNSNames = append(n.DNSNames, s)
		}
	}
	return n
}

// classified is an untyped name with the type it looks like.
type classified struct {
	typ  NameType
	addr netip.Addr // IP only
	uri  *url.URL   // URI only
}

// classify decides what an untyped string is. The order matters: "::1" also
// parses as a URL, and "mailto:a@b" is a URI, not an email.
func classify(s string) classified {
	if a, err := netip.ParseAddr(s); err == nil && a.Zone() == "" {
		return classified{typ: IP, addr: a.Unmap()}
	}
	if u, err := url.Parse(s); err == nil && u.Scheme != "" {
		return classified{typ: URI, uri: u}
	}
	if strings.Contains(s, "@") {
		return classified{typ: Email}
	}
	return classified{typ: DNS}
}
