package template

import (
	"encoding/json"
	"net"
	"net/url"
	"strings"
)

// SAN types, as step names them in `sans[].type`.
const (
	SANTypeAuto                = "auto"
	SANTypeDNS                 = "dns"
	SANTypeEmail               = "email"
	SANTypeIP                  = "ip"
	SANTypeURI                 = "uri"
	SANTypeDN                  = "dn"
	SANTypeX400Address         = "x400Address"
	SANTypeEDIPartyName        = "ediPartyName"
	SANTypeRegisteredID        = "registeredID"
	SANTypePermanentIdentifier = "permanentIdentifier"
	SANTypeHardwareModuleName  = "hardwareModuleName"
	SANTypeUserPrincipalName   = "userPrincipalName"
)

// SubjectAlternativeName is one typed name of the `sans` list.
//
// Value is the name in text form: a host, address, mailbox, URI, OID (for
// registeredID), DN string "CN=x,O=y" (for dn), identifier (for
// permanentIdentifier) or principal (for userPrincipalName); for x400Address
// and ediPartyName it is the base64 DER of the GeneralName's contents.
// ASN1Value carries the structured forms that do not fit one string:
// {"identifier","assigner"} for permanentIdentifier, {"type","serialNumber"}
// (OID, base64) for hardwareModuleName, and a subject object for dn.
type SubjectAlternativeName struct {
	Type      string          `json:"type"`
	Value     string          `json:"value"`
	ASN1Value json.RawMessage `json:"asn1Value,omitempty"`
}

// SANsFromStrings classifies each name as an IP address, URI, email address
// or DNS name, in that order (see classifySAN), so a list of names from a
// token or a command line becomes the typed `.SANs` of the template data.
func SANsFromStrings(names []string) []SubjectAlternativeName {
	sans := make([]SubjectAlternativeName, 0, len(names))
	for _, n := range names {
		sans = append(sans, SubjectAlternativeName{Type: classifySAN(n), Value: n})
	}
	return sans
}

// classifySAN decides what an untyped name is. IPs come first so "::1" is not
// read as a URI; a URI needs a scheme, which a DNS name or mailbox never has
// (no colon); anything left with an @ is a mailbox.
func classifySAN(v string) string {
	if net.ParseIP(v) != nil {
		return SANTypeIP
	}
	if strings.Contains(v, ":") {
		if u, err := url.Parse(v); err == nil && u.Scheme != "" {
			return SANTypeURI
		}
	}
	if strings.Contains(v, "@") {
		return SANTypeEmail
	}
	return SANTypeDNS
}

// sanSet is the SANs of a certificate sorted into the kinds Go can encode
// itself and the rest, which need a hand-built extension.
type sanSet struct {
	dns, email []string
	ips        []net.IP
	uris       []*url.URL
	// extended is true when a name Go cannot encode is present.
	extended bool
}

// splitSANs merges the top-level name lists with the typed `sans` list. It
// resolves `auto` and validates each native name; non-native names are only
// flagged here and encoded by buildSANExtension.
func (c *Certificate) splitSANs() (sanSet, error) {
	s := sanSet{
		dns:   append([]string(nil), c.DNSNames...),
		email: append([]string(nil), c.EmailAddresses...),
		ips:   append([]net.IP(nil), c.IPAddresses...),
		uris:  append([]*url.URL(nil), c.URIs...),
	}
	for _, san := range c.SANs {
		typ := san.Type
		if typ == SANTypeAuto || typ == "" {
			typ = classifySAN(san.Value)
		}
		switch typ {
		case SANTypeDNS:
			s.dns = append(s.dns, san.Value)
		case SANTypeEmail:
			s.email = append(s.email, san.Value)
		case SANTypeIP:
			ip := net.ParseIP(san.Value)
			if ip == nil {
				return s, sanError(san, "not an IP address")
			}
			s.ips = append(s.ips, ip)
		case SANTypeURI:
			u, err := url.Parse(san.Value)
			if err != nil {
				return s, sanError(san, err.Error())
			}
			s.uris = append(s.uris, u)
		default:
			if !knownExtendedSAN(typ) {
				return s, sanError(san, "unknown type")
			}
			s.extended = true
		}
	}
	return s, nil
}

func knownExtendedSAN(typ string) bool {
	switch typ {
	case SANTypeDN, SANTypeX400Address, SANTypeEDIPartyName, SANTypeRegisteredID,
		SANTypePermanentIdentifier, SANTypeHardwareModuleName, SANTypeUserPrincipalName:
		return true
	}
	return false
}
