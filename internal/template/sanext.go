package template

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"strings"
)

// OIDs of the subjectAltName extension and the otherName forms we encode.
var (
	oidExtSubjectAltName   = asn1.ObjectIdentifier{2, 5, 29, 17}
	oidPermanentIdentifier = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 8, 3}       // RFC 4043
	oidHardwareModuleName  = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 8, 4}       // RFC 4108
	oidUserPrincipalName   = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 20, 2, 3} // Microsoft UPN
)

// GeneralName tags, RFC 5280 §4.2.1.6.
const (
	tagOtherName     = 0
	tagRFC822Name    = 1
	tagDNSName       = 2
	tagX400Address   = 3
	tagDirectoryName = 4
	tagEDIPartyName  = 5
	tagURI           = 6
	tagIPAddress     = 7
	tagRegisteredID  = 8
)

func sanError(san SubjectAlternativeName, why string) error {
	return fmt.Errorf("invalid %s SAN %q: %s", san.Type, san.Value, why)
}

// buildSANExtension encodes every name of the certificate in one
// subjectAltName extension. Go's x509 only writes DNS, email, IP and URI
// names, so when the template has any other type we write the whole extension
// ourselves. It is critical when the subject is empty (RFC 5280 §4.2.1.6).
func buildSANExtension(c *Certificate, critical bool) (pkix.Extension, error) {
	var names []asn1.RawValue
	add := func(tag int, compound bool, content []byte) {
		names = append(names, asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: tag, IsCompound: compound, Bytes: content})
	}
	all := make([]SubjectAlternativeName, 0, len(c.SANs)+len(c.DNSNames))
	for _, v := range c.DNSNames {
		all = append(all, SubjectAlternativeName{Type: SANTypeDNS, Value: v})
	}
	for _, v := range c.EmailAddresses {
		all = append(all, SubjectAlternativeName{Type: SANTypeEmail, Value: v})
	}
	for _, v := range c.IPAddresses {
		all = append(all, SubjectAlternativeName{Type: SANTypeIP, Value: v.String()})
	}
	for _, v := range c.URIs {
		all = append(all, SubjectAlternativeName{Type: SANTypeURI, Value: v.String()})
	}
	for _, san := range append(all, c.SANs...) {
		tag, compound, content, err := encodeGeneralName(san)
		if err != nil {
			return pkix.Extension{}, err
		}
		add(tag, compound, content)
	}
	der, err := asn1.Marshal(names)
	if err != nil {
		return pkix.Extension{}, fmt.Errorf("encoding subjectAltName: %w", err)
	}
	return pkix.Extension{Id: oidExtSubjectAltName, Critical: critical, Value: der}, nil
}

// encodeGeneralName returns the tag and contents of one GeneralName.
func encodeGeneralName(san SubjectAlternativeName) (tag int, compound bool, content []byte, err error) {
	typ := san.Type
	if typ == SANTypeAuto || typ == "" {
		typ = classifySAN(san.Value)
	}
	switch typ {
	case SANTypeDNS, SANTypeEmail, SANTypeURI:
		if !isIA5(san.Value) {
			return 0, false, nil, sanError(san, "not ASCII")
		}
		tag = map[string]int{SANTypeDNS: tagDNSName, SANTypeEmail: tagRFC822Name, SANTypeURI: tagURI}[typ]
		return tag, false, []byte(san.Value), nil
	case SANTypeIP:
		ip := net.ParseIP(san.Value)
		if ip == nil {
			return 0, false, nil, sanError(san, "not an IP address")
		}
		if v4 := ip.To4(); v4 != nil {
			ip = v4
		}
		return tagIPAddress, false, ip, nil
	case SANTypeRegisteredID:
		oid, err := ParseOID(san.Value)
		if err != nil {
			return 0, false, nil, sanError(san, err.Error())
		}
		return tagRegisteredID, false, contentsOf(mustMarshal(oid)), nil
	case SANTypeDN:
		der, err := encodeDirectoryName(san)
		return tagDirectoryName, true, der, err
	case SANTypeX400Address, SANTypeEDIPartyName:
		raw, err := base64.StdEncoding.DecodeString(san.Value)
		if err != nil {
			return 0, false, nil, sanError(san, "value must be base64 DER")
		}
		tag = map[string]int{SANTypeX400Address: tagX400Address, SANTypeEDIPartyName: tagEDIPartyName}[typ]
		return tag, true, raw, nil
	}
	content, err = encodeOtherName(typ, san)
	return tagOtherName, true, content, err
}

// encodeOtherName encodes the contents of an otherName:
// SEQUENCE { type-id OID, value [0] EXPLICIT ANY } with implicit tag [0].
func encodeOtherName(typ string, san SubjectAlternativeName) ([]byte, error) {
	var oid asn1.ObjectIdentifier
	var value []byte
	var err error
	switch typ {
	case SANTypeUserPrincipalName:
		oid = oidUserPrincipalName
		value, err = asn1.MarshalWithParams(san.Value, "utf8")
	case SANTypePermanentIdentifier:
		oid = oidPermanentIdentifier
		value, err = encodePermanentIdentifier(san)
	case SANTypeHardwareModuleName:
		oid = oidHardwareModuleName
		value, err = encodeHardwareModuleName(san)
	default:
		return nil, sanError(san, "unknown type")
	}
	if err != nil {
		return nil, err
	}
	explicit := asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: value}
	return append(mustMarshal(oid), mustMarshal(explicit)...), nil
}

// encodePermanentIdentifier: SEQUENCE { identifierValue UTF8String OPTIONAL,
// assigner OBJECT IDENTIFIER OPTIONAL } (RFC 4043).
func encodePermanentIdentifier(san SubjectAlternativeName) ([]byte, error) {
	v := struct {
		Identifier string `json:"identifier"`
		Assigner   string `json:"assigner"`
	}{Identifier: san.Value}
	if len(san.ASN1Value) > 0 {
		if err := json.Unmarshal(san.ASN1Value, &v); err != nil {
			return nil, sanError(san, "asn1Value: "+err.Error())
		}
	}
	var seq []byte
	if v.Identifier != "" {
		b, err := asn1.MarshalWithParams(v.Identifier, "utf8")
		if err != nil {
			return nil, sanError(san, err.Error())
		}
		seq = append(seq, b...)
	}
	if v.Assigner != "" {
		oid, err := ParseOID(v.Assigner)
		if err != nil {
			return nil, sanError(san, "assigner: "+err.Error())
		}
		seq = append(seq, mustMarshal(oid)...)
	}
	return mustMarshal(asn1.RawValue{Tag: asn1.TagSequence, IsCompound: true, Bytes: seq}), nil
}

// encodeHardwareModuleName: SEQUENCE { hwType OBJECT IDENTIFIER, hwSerialNum
// OCTET STRING } (RFC 4108), from asn1Value {"type": OID, "serialNumber": b64}.
func encodeHardwareModuleName(san SubjectAlternativeName) ([]byte, error) {
	var v struct {
		Type         string `json:"type"`
		SerialNumber []byte `json:"serialNumber"`
	}
	if err := json.Unmarshal(san.ASN1Value, &v); err != nil {
		return nil, sanError(san, "asn1Value must be {\"type\",\"serialNumber\"}")
	}
	oid, err := ParseOID(v.Type)
	if err != nil {
		return nil, sanError(san, err.Error())
	}
	return asn1.Marshal(struct {
		Type   asn1.ObjectIdentifier
		Serial []byte
	}{oid, v.SerialNumber})
}

// encodeDirectoryName returns the DER of the Name: from asn1Value (a subject
// object) when given, otherwise from the RFC 4514 string in Value.
func encodeDirectoryName(san SubjectAlternativeName) ([]byte, error) {
	var rdns pkix.RDNSequence
	if len(san.ASN1Value) > 0 {
		var s Subject
		if err := json.Unmarshal(san.ASN1Value, &s); err != nil {
			return nil, sanError(san, "asn1Value: "+err.Error())
		}
		rdns = s.pkixName().ToRDNSequence()
	} else {
		var err error
		if rdns, err = parseDN(san.Value); err != nil {
			return nil, sanError(san, err.Error())
		}
	}
	return asn1.Marshal(rdns)
}

// dnAttributes are the attribute keywords parseDN understands besides dotted
// OIDs: RFC 4514's list plus the ones Go and OpenSSL print.
var dnAttributes = map[string]asn1.ObjectIdentifier{
	"CN": {2, 5, 4, 3}, "SERIALNUMBER": {2, 5, 4, 5}, "C": {2, 5, 4, 6}, "L": {2, 5, 4, 7},
	"ST": {2, 5, 4, 8}, "STREET": {2, 5, 4, 9}, "O": {2, 5, 4, 10}, "OU": {2, 5, 4, 11},
	"POSTALCODE": {2, 5, 4, 17}, "DC": {0, 9, 2342, 19200300, 100, 1, 25},
	"UID": {0, 9, 2342, 19200300, 100, 1, 1}, "EMAILADDRESS": {1, 2, 840, 113549, 1, 9, 1},
}

// parseDN reads an RFC 4514 string ("CN=x,O=y"), most specific RDN first, as
// pkix.Name.String prints it; backslash escapes a character. Multi-valued RDNs
// ("+") are not supported.
func parseDN(s string) (pkix.RDNSequence, error) {
	var parts []string
	var cur strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
		case s[i] == ',':
			parts = append(parts, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(s[i])
		}
	}
	parts = append(parts, cur.String())
	rdns := make(pkix.RDNSequence, 0, len(parts))
	for i := len(parts) - 1; i >= 0; i-- {
		k, v, ok := strings.Cut(parts[i], "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, fmt.Errorf("RDN %q is not type=value", parts[i])
		}
		oid, known := dnAttributes[strings.ToUpper(k)]
		if !known {
			var err error
			if oid, err = ParseOID(k); err != nil {
				return nil, fmt.Errorf("unknown attribute type %q", k)
			}
		}
		rdns = append(rdns, pkix.RelativeDistinguishedNameSET{{Type: oid, Value: v}})
	}
	return rdns, nil
}

func isIA5(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] > 0x7f {
			return false
		}
	}
	return true
}

// mustMarshal marshals values that cannot fail to encode (OIDs validated by
// ParseOID, RawValues); a failure is a programming error.
func mustMarshal(v any) []byte {
	b, err := asn1.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("template: marshaling %T: %v", v, err))
	}
	return b
}

// contentsOf strips the tag and length of a DER element, for implicit tags.
func contentsOf(der []byte) []byte {
	var rv asn1.RawValue
	if _, err := asn1.Unmarshal(der, &rv); err != nil {
		panic(fmt.Sprintf("template: re-reading own DER: %v", err))
	}
	return rv.Bytes
}
