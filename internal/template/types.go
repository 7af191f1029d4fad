package template

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"encoding/json"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// The JSON value types of the certificate model. step's templates accept a
// single string wherever a list is expected ("dnsNames": "a.example"), so
// every list type here decodes either form and always encodes a list.

// MultiString is a list of strings that also decodes from a single string.
type MultiString []string

// UnmarshalJSON accepts a string, a list of strings or null.
func (m *MultiString) UnmarshalJSON(b []byte) error {
	list, err := stringOrList(b)
	if err != nil {
		return err
	}
	*m = list
	return nil
}

// stringOrList decodes the JSON forms every Multi* type accepts. An empty
// string decodes to no element, so `"country": ""` means "not set".
func stringOrList(b []byte) ([]string, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || bytes.Equal(b, []byte("null")) {
		return nil, nil
	}
	if b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return nil, err
		}
		if s == "" {
			return nil, nil
		}
		return []string{s}, nil
	}
	var list []string
	if err := json.Unmarshal(b, &list); err != nil {
		return nil, fmt.Errorf("want a string or a list of strings: %w", err)
	}
	return list, nil
}

// MultiIP is a list of IP addresses in their text form.
type MultiIP []net.IP

// UnmarshalJSON accepts an address, a list of addresses or null.
func (m *MultiIP) UnmarshalJSON(b []byte) error {
	list, err := stringOrList(b)
	if err != nil {
		return err
	}
	ips := make(MultiIP, 0, len(list))
	for _, s := range list {
		ip := net.ParseIP(s)
		if ip == nil {
			return fmt.Errorf("invalid IP address %q", s)
		}
		ips = append(ips, ip)
	}
	*m = ips
	return nil
}

// MultiURL is a list of URIs. url.URL has no JSON form of its own, which is
// why this type exists: `toJson .Insecure.CR.URIs` must print strings.
type MultiURL []*url.URL

// MarshalJSON writes each URI as a string.
func (m MultiURL) MarshalJSON() ([]byte, error) {
	list := make([]string, len(m))
	for i, u := range m {
		list[i] = u.String()
	}
	return json.Marshal(list)
}

// UnmarshalJSON accepts a URI, a list of URIs or null.
func (m *MultiURL) UnmarshalJSON(b []byte) error {
	list, err := stringOrList(b)
	if err != nil {
		return err
	}
	urls := make(MultiURL, 0, len(list))
	for _, s := range list {
		u, err := url.Parse(s)
		if err != nil {
			return fmt.Errorf("invalid URI %q: %w", s, err)
		}
		urls = append(urls, u)
	}
	*m = urls
	return nil
}

// MultiIPNet is a list of CIDR ranges, as name constraints use them.
type MultiIPNet []*net.IPNet

// MarshalJSON writes each range in CIDR notation.
func (m MultiIPNet) MarshalJSON() ([]byte, error) {
	list := make([]string, len(m))
	for i, n := range m {
		list[i] = n.String()
	}
	return json.Marshal(list)
}

// UnmarshalJSON accepts a CIDR range, a list of them or null.
func (m *MultiIPNet) UnmarshalJSON(b []byte) error {
	list, err := stringOrList(b)
	if err != nil {
		return err
	}
	nets := make(MultiIPNet, 0, len(list))
	for _, s := range list {
		_, n, err := net.ParseCIDR(s)
		if err != nil {
			return fmt.Errorf("invalid IP range %q: %w", s, err)
		}
		nets = append(nets, n)
	}
	*m = nets
	return nil
}

// ObjectIdentifier is an ASN.1 OID written in dotted form ("1.2.840.113549").
type ObjectIdentifier asn1.ObjectIdentifier

// ParseOID parses a dotted OID. It requires at least two arcs and a first arc
// of 0, 1 or 2, since anything else cannot be DER-encoded.
func ParseOID(s string) (asn1.ObjectIdentifier, error) {
	parts := strings.Split(s, ".")
	if len(parts) < 2 {
		return nil, fmt.Errorf("invalid OID %q", s)
	}
	oid := make(asn1.ObjectIdentifier, len(parts))
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || (p != "0" && strings.HasPrefix(p, "0")) {
			return nil, fmt.Errorf("invalid OID %q", s)
		}
		oid[i] = n
	}
	if oid[0] > 2 || (oid[0] < 2 && oid[1] >= 40) {
		return nil, fmt.Errorf("invalid OID %q", s)
	}
	return oid, nil
}

// MarshalJSON writes the dotted form.
func (o ObjectIdentifier) MarshalJSON() ([]byte, error) {
	return json.Marshal(asn1.ObjectIdentifier(o).String())
}

// UnmarshalJSON reads the dotted form.
func (o *ObjectIdentifier) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("OID must be a string: %w", err)
	}
	oid, err := ParseOID(s)
	if err != nil {
		return err
	}
	*o = ObjectIdentifier(oid)
	return nil
}

// MultiOID is a list of OIDs (unknownExtKeyUsage, policyIdentifiers).
type MultiOID []asn1.ObjectIdentifier

// MarshalJSON writes the dotted forms.
func (m MultiOID) MarshalJSON() ([]byte, error) {
	list := make([]string, len(m))
	for i, o := range m {
		list[i] = o.String()
	}
	return json.Marshal(list)
}

// UnmarshalJSON accepts an OID, a list of OIDs or null.
func (m *MultiOID) UnmarshalJSON(b []byte) error {
	list, err := stringOrList(b)
	if err != nil {
		return err
	}
	oids := make(MultiOID, 0, len(list))
	for _, s := range list {
		oid, err := ParseOID(s)
		if err != nil {
			return err
		}
		oids = append(oids, oid)
	}
	*m = oids
	return nil
}

// SerialNumber is a certificate serial. It decodes from a JSON number of any
// size, a decimal string or a "0x"-prefixed hex string, and encodes as a
// decimal string because JSON numbers past 2^53 lose digits in many readers.
type SerialNumber struct{ *big.Int }

// MarshalJSON writes the decimal string, or null when unset.
func (s SerialNumber) MarshalJSON() ([]byte, error) {
	if s.Int == nil {
		return []byte("null"), nil
	}
	return json.Marshal(s.Int.String())
}

// UnmarshalJSON reads a number, a decimal string or a hex string.
func (s *SerialNumber) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		s.Int = nil
		return nil
	}
	text := string(b)
	if b[0] == '"' {
		if err := json.Unmarshal(b, &text); err != nil {
			return err
		}
	}
	n, ok := new(big.Int), false
	if h, isHex := strings.CutPrefix(strings.ToLower(text), "0x"); isHex {
		n, ok = n.SetString(h, 16)
	} else {
		n, ok = n.SetString(text, 10)
	}
	if !ok {
		return fmt.Errorf("invalid serial number %s", b)
	}
	s.Int = n
	return nil
}

// keyUsageNames are step's names; matching is case-insensitive.
var keyUsageNames = []struct {
	name string
	ku   x509.KeyUsage
}{
	{"digitalSignature", x509.KeyUsageDigitalSignature},
	{"contentCommitment", x509.KeyUsageContentCommitment},
	{"keyEncipherment", x509.KeyUsageKeyEncipherment},
	{"dataEncipherment", x509.KeyUsageDataEncipherment},
	{"keyAgreement", x509.KeyUsageKeyAgreement},
	{"certSign", x509.KeyUsageCertSign},
	{"crlSign", x509.KeyUsageCRLSign},
	{"encipherOnly", x509.KeyUsageEncipherOnly},
	{"decipherOnly", x509.KeyUsageDecipherOnly},
}

// KeyUsage is the key usage bit set, written as a list of names.
type KeyUsage x509.KeyUsage

// MarshalJSON writes the names of the set bits.
func (k KeyUsage) MarshalJSON() ([]byte, error) {
	names := []string{}
	for _, e := range keyUsageNames {
		if x509.KeyUsage(k)&e.ku != 0 {
			names = append(names, e.name)
		}
	}
	return json.Marshal(names)
}

// UnmarshalJSON reads a name or a list of names.
func (k *KeyUsage) UnmarshalJSON(b []byte) error {
	list, err := stringOrList(b)
	if err != nil {
		return err
	}
	var ku x509.KeyUsage
next:
	for _, s := range list {
		for _, e := range keyUsageNames {
			if strings.EqualFold(s, e.name) {
				ku |= e.ku
				continue next
			}
		}
		return fmt.Errorf("unknown key usage %q", s)
	}
	*k = KeyUsage(ku)
	return nil
}

// extKeyUsageNames follows the order of Go's x509.ExtKeyUsage constants.
var extKeyUsageNames = []struct {
	name string
	eku  x509.ExtKeyUsage
}{
	{"any", x509.ExtKeyUsageAny},
	{"serverAuth", x509.ExtKeyUsageServerAuth},
	{"clientAuth", x509.ExtKeyUsageClientAuth},
	{"codeSigning", x509.ExtKeyUsageCodeSigning},
	{"emailProtection", x509.ExtKeyUsageEmailProtection},
	{"ipsecEndSystem", x509.ExtKeyUsageIPSECEndSystem},
	{"ipsecTunnel", x509.ExtKeyUsageIPSECTunnel},
	{"ipsecUser", x509.ExtKeyUsageIPSECUser},
	{"timeStamping", x509.ExtKeyUsageTimeStamping},
	{"ocspSigning", x509.ExtKeyUsageOCSPSigning},
	{"microsoftServerGatedCrypto", x509.ExtKeyUsageMicrosoftServerGatedCrypto},
	{"netscapeServerGatedCrypto", x509.ExtKeyUsageNetscapeServerGatedCrypto},
	{"microsoftCommercialCodeSigning", x509.ExtKeyUsageMicrosoftCommercialCodeSigning},
	{"microsoftKernelCodeSigning", x509.ExtKeyUsageMicrosoftKernelCodeSigning},
}

// ExtKeyUsage is the list of well-known extended key usages, by name.
type ExtKeyUsage []x509.ExtKeyUsage

// MarshalJSON writes the names.
func (e ExtKeyUsage) MarshalJSON() ([]byte, error) {
	names := make([]string, 0, len(e))
	for _, u := range e {
		for _, n := range extKeyUsageNames {
			if n.eku == u {
				names = append(names, n.name)
			}
		}
	}
	return json.Marshal(names)
}

// UnmarshalJSON reads a name or a list of names, case-insensitively.
func (e *ExtKeyUsage) UnmarshalJSON(b []byte) error {
	list, err := stringOrList(b)
	if err != nil {
		return err
	}
	ekus := make(ExtKeyUsage, 0, len(list))
next:
	for _, s := range list {
		for _, n := range extKeyUsageNames {
			if strings.EqualFold(s, n.name) {
				ekus = append(ekus, n.eku)
				continue next
			}
		}
		return fmt.Errorf("unknown extended key usage %q", s)
	}
	*e = ekus
	return nil
}

// SignatureAlgorithm is written with Go's names ("SHA256-RSA", "ECDSA-SHA256",
// "SHA256-RSAPSS", "Ed25519"), which are also the names step uses.
type SignatureAlgorithm x509.SignatureAlgorithm

// MarshalJSON writes the name, or "" when unset (let the signer choose).
func (s SignatureAlgorithm) MarshalJSON() ([]byte, error) {
	if s == SignatureAlgorithm(x509.UnknownSignatureAlgorithm) {
		return json.Marshal("")
	}
	return json.Marshal(x509.SignatureAlgorithm(s).String())
}

// UnmarshalJSON reads a name case-insensitively; "" leaves it unset.
func (s *SignatureAlgorithm) UnmarshalJSON(b []byte) error {
	var name string
	if err := json.Unmarshal(b, &name); err != nil {
		return fmt.Errorf("signature algorithm must be a string: %w", err)
	}
	if name == "" {
		*s = SignatureAlgorithm(x509.UnknownSignatureAlgorithm)
		return nil
	}
	// Go's constants are contiguous from MD2WithRSA to PureEd25519.
	for a := x509.MD2WithRSA; a <= x509.PureEd25519; a++ {
		if strings.EqualFold(name, a.String()) {
			*s = SignatureAlgorithm(a)
			return nil
		}
	}
	return fmt.Errorf("unknown signature algorithm %q", name)
}
