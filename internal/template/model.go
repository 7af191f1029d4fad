package template

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Certificate is the JSON model a template renders to. Field names are step's
// (x509util.Certificate), so existing step templates work unchanged.
type Certificate struct {
	Version               int                      `json:"version,omitempty"`
	Subject               Subject                  `json:"subject,omitzero"`
	RawSubject            []byte                   `json:"rawSubject,omitempty"`
	Issuer                Subject                  `json:"issuer,omitzero"`
	SerialNumber          SerialNumber             `json:"serialNumber,omitzero"`
	DNSNames              MultiString              `json:"dnsNames,omitempty"`
	EmailAddresses        MultiString              `json:"emailAddresses,omitempty"`
	IPAddresses           MultiIP                  `json:"ipAddresses,omitempty"`
	URIs                  MultiURL                 `json:"uris,omitempty"`
	SANs                  []SubjectAlternativeName `json:"sans,omitempty"`
	NotBefore             time.Time                `json:"notBefore,omitzero"`
	NotAfter              time.Time                `json:"notAfter,omitzero"`
	Extensions            []Extension              `json:"extensions,omitempty"`
	KeyUsage              KeyUsage                 `json:"keyUsage,omitempty"`
	ExtKeyUsage           ExtKeyUsage              `json:"extKeyUsage,omitempty"`
	UnknownExtKeyUsage    MultiOID                 `json:"unknownExtKeyUsage,omitempty"`
	SubjectKeyID          []byte                   `json:"subjectKeyId,omitempty"`
	AuthorityKeyID        []byte                   `json:"authorityKeyId,omitempty"`
	OCSPServer            MultiString              `json:"ocspServer,omitempty"`
	IssuingCertificateURL MultiString              `json:"issuingCertificateURL,omitempty"`
	CRLDistributionPoints MultiString              `json:"crlDistributionPoints,omitempty"`
	PolicyIdentifiers     MultiOID                 `json:"policyIdentifiers,omitempty"`
	BasicConstraints      *BasicConstraints        `json:"basicConstraints,omitempty"`
	NameConstraints       *NameConstraints         `json:"nameConstraints,omitempty"`
	SignatureAlgorithm    SignatureAlgorithm       `json:"signatureAlgorithm,omitzero"`
}

// Subject is a distinguished name. Every attribute is a list because a DN may
// repeat an attribute; a single string is accepted for each.
type Subject struct {
	Country            MultiString         `json:"country,omitempty"`
	Organization       MultiString         `json:"organization,omitempty"`
	OrganizationalUnit MultiString         `json:"organizationalUnit,omitempty"`
	Locality           MultiString         `json:"locality,omitempty"`
	Province           MultiString         `json:"province,omitempty"`
	StreetAddress      MultiString         `json:"streetAddress,omitempty"`
	PostalCode         MultiString         `json:"postalCode,omitempty"`
	SerialNumber       string              `json:"serialNumber,omitempty"`
	CommonName         string              `json:"commonName,omitempty"`
	ExtraNames         []DistinguishedName `json:"extraNames,omitempty"`
}

// subjectFields is Subject without its JSON methods, to decode into.
type subjectFields Subject

// UnmarshalJSON accepts an object or, as step does, a bare string that is the
// common name. commonName and serialNumber, single-valued in Go's pkix.Name,
// also accept a list of at most one string, like the other attributes.
func (s *Subject) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var cn string
		if err := json.Unmarshal(b, &cn); err != nil {
			return err
		}
		*s = Subject{CommonName: cn}
		return nil
	}
	// The outer fields shadow the embedded ones of the same JSON name.
	var f struct {
		subjectFields
		CommonName   json.RawMessage `json:"commonName"`
		SerialNumber json.RawMessage `json:"serialNumber"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	cn, err := singleString("commonName", f.CommonName)
	if err != nil {
		return err
	}
	sn, err := singleString("serialNumber", f.SerialNumber)
	if err != nil {
		return err
	}
	*s = Subject(f.subjectFields)
	s.CommonName, s.SerialNumber = cn, sn
	return nil
}

func singleString(field string, raw json.RawMessage) (string, error) {
	list, err := stringOrList(raw)
	switch {
	case err != nil:
		return "", fmt.Errorf("%s: %w", field, err)
	case len(list) > 1:
		return "", fmt.Errorf("%s: a subject has one %s, got %d", field, field, len(list))
	case len(list) == 1:
		return list[0], nil
	}
	return "", nil
}

// IsZero reports whether no attribute is set; it drives `omitzero`.
func (s Subject) IsZero() bool {
	return len(s.Country) == 0 && len(s.Organization) == 0 && len(s.OrganizationalUnit) == 0 &&
		len(s.Locality) == 0 && len(s.Province) == 0 && len(s.StreetAddress) == 0 &&
		len(s.PostalCode) == 0 && s.SerialNumber == "" && s.CommonName == "" && len(s.ExtraNames) == 0
}

// DistinguishedName is one extra attribute of a subject, by OID.
type DistinguishedName struct {
	Type  ObjectIdentifier `json:"type"`
	Value string           `json:"value"`
}

// Extension is a raw extension; Value is the DER of the extnValue contents,
// base64 in JSON (what asn1Enc and friends produce).
type Extension struct {
	ID       ObjectIdentifier `json:"id"`
	Critical bool             `json:"critical,omitempty"`
	Value    []byte           `json:"value"`
}

// BasicConstraints follows step: with isCA, maxPathLen 0 (also when omitted)
// means "pathlen 0", a negative value means "no limit", and a positive one is
// the limit. Without isCA the path length is not encoded.
type BasicConstraints struct {
	IsCA       bool `json:"isCA"`
	MaxPathLen int  `json:"maxPathLen"`
}

// NameConstraints are the RFC 5280 §4.2.1.10 constraints of a CA.
type NameConstraints struct {
	Critical                bool        `json:"critical,omitempty"`
	PermittedDNSDomains     MultiString `json:"permittedDNSDomains,omitempty"`
	ExcludedDNSDomains      MultiString `json:"excludedDNSDomains,omitempty"`
	PermittedIPRanges       MultiIPNet  `json:"permittedIPRanges,omitempty"`
	ExcludedIPRanges        MultiIPNet  `json:"excludedIPRanges,omitempty"`
	PermittedEmailAddresses MultiString `json:"permittedEmailAddresses,omitempty"`
	ExcludedEmailAddresses  MultiString `json:"excludedEmailAddresses,omitempty"`
	PermittedURIDomains     MultiString `json:"permittedURIDomains,omitempty"`
	ExcludedURIDomains      MultiString `json:"excludedURIDomains,omitempty"`
}

// ErrInvalidJSON is wrapped by ParseCertificateJSON when a template rendered
// something that is not a certificate: a broken template, not a bad request.
var ErrInvalidJSON = errors.New("template output is not a valid certificate")

// ParseCertificateJSON decodes a rendered template. Unknown fields are
// ignored, as step ignores them, so templates may carry comments-as-fields.
// Errors name the line and column of the rendered text.
func ParseCertificateJSON(b []byte) (*Certificate, error) {
	var c Certificate
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("%w: %s", ErrInvalidJSON, describeJSONError(b, err))
	}
	if err := c.validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidJSON, err)
	}
	return &c, nil
}

// validate catches what JSON decoding cannot: required members that were
// left out (a missing OID would only fail later, inside CreateCertificate).
func (c *Certificate) validate() error {
	for _, s := range []Subject{c.Subject, c.Issuer} {
		for _, n := range s.ExtraNames {
			if len(n.Type) == 0 {
				return errors.New("extraNames: type is required")
			}
		}
	}
	for _, e := range c.Extensions {
		if len(e.ID) == 0 {
			return errors.New("extensions: id is required")
		}
	}
	return nil
}

// describeJSONError adds a line:column to syntax and type errors.
func describeJSONError(b []byte, err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	var off int64
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	default:
		return err.Error()
	}
	line, col := 1, 1
	for _, c := range b[:min(int(off), len(b))] {
		if c == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return fmt.Sprintf("line %d, column %d: %v", line, col, err)
}
