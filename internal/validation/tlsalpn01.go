package validation

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// ALPNProto is the ALPN protocol of tls-alpn-01 (RFC 8737 §6.2).
const ALPNProto = "acme-tls/1"

var (
	// oidACMEIdentifier is id-pe-acmeIdentifier (RFC 8737 §6.1).
	oidACMEIdentifier = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 31}
	// oidACMEIdentifierV1 is the draft's id-pe-acmeIdentifier, whose value
	// was the bare digest; accepting it would accept responders built for
	// the obsolete protocol, so it is refused explicitly.
	oidACMEIdentifierV1 = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 30, 1}
	oidSubjectAltName   = asn1.ObjectIdentifier{2, 5, 29, 17}
)

// TLSALPN01 performs the tls-alpn-01 challenge (RFC 8737; RFC 8738 §6 for IP
// identifiers): a TLS handshake with ALPN acme-tls/1 whose certificate names
// exactly the identifier and carries SHA-256(keyAuthorization) in a critical
// acmeIdentifier extension. The chain is not verified: the self-signed
// certificate is the proof.
func (v *Validator) TLSALPN01(ctx context.Context, identType, value, keyAuthorization string) error {
	ip, verr := checkIdent(identType, value)
	if verr != nil {
		return verr
	}
	host, sni := value, value
	if ip.IsValid() {
		host, sni = ip.String(), reverseName(ip)
	}
	ctx, cancel := v.attempt(ctx)
	defer cancel()
	conn, err := v.dial(ctx, host, v.cfg.TLSPort)
	if err != nil {
		return err
	}
	defer conn.Close()
	tc := tls.Client(conn, &tls.Config{
		ServerName:         sni,
		NextProtos:         []string{ALPNProto},
		MinVersion:         tls.VersionTLS12,
		InsecureSkipVerify: true, //nolint:gosec // RFC 8737: the certificate is self-signed by design
	})
	if err := tc.HandshakeContext(ctx); err != nil {
		return tlsError(host, err)
	}
	cs := tc.ConnectionState()
	if cs.NegotiatedProtocol != ALPNProto {
		return newError("tls", false, "%s did not negotiate the ALPN protocol %q", sni, ALPNProto)
	}
	if len(cs.PeerCertificates) == 0 {
		return newError("tls", false, "%s presented no certificate", sni)
	}
	return checkALPNCert(cs.PeerCertificates[0], identType, value, ip, keyAuthorization)
}

// tlsError classifies a failed handshake: timeouts and resets are
// transient, a TLS alert or protocol mismatch is a definite answer.
func tlsError(host string, err error) *Error {
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return newError("connection", true, "timeout during the TLS handshake with %s", host)
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Op != "remote error" && oe.Op != "local error" {
		return newError("connection", true, "connection to %s failed during the TLS handshake: %s", host, errDetail(err))
	}
	return newError("tls", false, "TLS handshake with %s failed: %v", host, err)
}

// reverseName is the reverse-mapping name of ip (RFC 8738 §6), the SNI of a
// tls-alpn-01 validation of an IP identifier.
func reverseName(ip netip.Addr) string {
	var b strings.Builder
	if ip.Is4() {
		a := ip.As4()
		for i := 3; i >= 0; i-- {
			b.WriteString(strconv.Itoa(int(a[i])) + ".")
		}
		b.WriteString("in-addr.arpa")
		return b.String()
	}
	const hexdig = "0123456789abcdef"
	a := ip.As16()
	for i := 15; i >= 0; i-- {
		b.WriteByte(hexdig[a[i]&0xf])
		b.WriteByte('.')
		b.WriteByte(hexdig[a[i]>>4])
		b.WriteByte('.')
	}
	b.WriteString("ip6.arpa")
	return b.String()
}

// checkALPNCert applies RFC 8737 §3 to the presented certificate.
func checkALPNCert(cert *x509.Certificate, identType, value string, ip netip.Addr, keyAuthorization string) error {
	if n, err := countSANs(cert); err != nil || n != 1 {
		return newError("incorrectResponse", false,
			"the tls-alpn-01 certificate must contain exactly one subjectAltName, for %s", value)
	}
	switch identType {
	case "dns":
		if len(cert.DNSNames) != 1 || !strings.EqualFold(strings.TrimSuffix(cert.DNSNames[0], "."), value) {
			return newError("incorrectResponse", false,
				"the tls-alpn-01 certificate's subjectAltName is not the DNS name %s", value)
		}
	case "ip":
		if len(cert.IPAddresses) != 1 {
			return newError("incorrectResponse", false,
				"the tls-alpn-01 certificate's subjectAltName is not the IP address %s", value)
		}
		got, ok := netip.AddrFromSlice(cert.IPAddresses[0])
		if !ok || got.Unmap() != ip {
			return newError("incorrectResponse", false,
				"the tls-alpn-01 certificate's subjectAltName is not the IP address %s", value)
		}
	}
	want := sha256.Sum256([]byte(keyAuthorization))
	return checkACMEExtension(cert.Extensions, want[:])
}

// countSANs counts every GeneralName in the subjectAltName extension, not
// only the kinds crypto/x509 decodes, so an extra otherName or
// registeredID cannot hide next to the expected name.
func countSANs(cert *x509.Certificate) (int, error) {
	for _, ext := range cert.Extensions {
		if !ext.Id.Equal(oidSubjectAltName) {
			continue
		}
		var names []asn1.RawValue
		rest, err := asn1.Unmarshal(ext.Value, &names)
		if err != nil || len(rest) != 0 {
			return 0, errors.New("malformed subjectAltName")
		}
		return len(names), nil
	}
	return 0, nil
}

// checkACMEExtension finds id-pe-acmeIdentifier: it must be critical and
// hold exactly a DER OCTET STRING of the expected digest.
func checkACMEExtension(exts []pkix.Extension, want []byte) error {
	found := false
	for _, ext := range exts {
		switch {
		case ext.Id.Equal(oidACMEIdentifierV1):
			return newError("incorrectResponse", false,
				"the tls-alpn-01 certificate uses the obsolete id-pe-acmeIdentifier OID 1.3.6.1.5.5.7.1.30.1")
		case !ext.Id.Equal(oidACMEIdentifier):
			continue
		}
		if found {
			return newError("incorrectResponse", false, "the tls-alpn-01 certificate has two acmeIdentifier extensions")
		}
		found = true
		if !ext.Critical {
			return newError("incorrectResponse", false, "the tls-alpn-01 acmeIdentifier extension is not critical")
		}
		var got []byte
		rest, err := asn1.Unmarshal(ext.Value, &got)
		if err != nil || len(rest) != 0 {
			return newError("incorrectResponse", false, "the tls-alpn-01 acmeIdentifier extension is not a DER OCTET STRING")
		}
		if !bytes.Equal(got, want) {
			return newError("incorrectResponse", false,
				"the tls-alpn-01 acmeIdentifier extension does not match the key authorization: expected %x, got %x",
				want, truncate(got, 64))
		}
	}
	if !found {
		return newError("incorrectResponse", false, "the tls-alpn-01 certificate has no acmeIdentifier extension (1.3.6.1.5.5.7.1.31)")
	}
	return nil
}

// truncate cuts untrusted bytes before they go into an error detail.
func truncate(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}
