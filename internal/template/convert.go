package template

import (
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// X509 builds the Go certificate template that x509.CreateCertificate signs.
//
// pub is the subject's public key; when non-nil it is set on the result and,
// if the template gave no subjectKeyId, the key identifier is derived from it
// (RFC 7093 method 1: the leftmost 160 bits of SHA-256 of the key, as Go uses
// for CA certificates), so leaves carry one too. Serial, validity and the
// issuer-derived fields are left as the template set them: the caller (the
// authority) owns those. When a SAN type Go cannot encode is present the whole
// subjectAltName extension is built here and passed as an extra extension;
// the DNS/email/IP/URI fields are still filled so policy checks see them.
func (c *Certificate) X509(pub crypto.PublicKey) (*x509.Certificate, error) {
	return c.X509WithSPKI(pub, nil)
}

// X509WithSPKI is X509 for a key whose DER SubjectPublicKeyInfo is at hand
// (a CSR's RawSubjectPublicKeyInfo): the key identifier is then hashed from
// those bytes instead of re-encoding pub (see KeyIDFromSPKI). rawSPKI must
// be pub's encoding; nil means "not known" and gives X509's result.
func (c *Certificate) X509WithSPKI(pub crypto.PublicKey, rawSPKI []byte) (*x509.Certificate, error) {
	if err := c.validate(); err != nil {
		return nil, err
	}
	sans, err := c.splitSANs()
	if err != nil {
		return nil, err
	}
	cert := &x509.Certificate{
		Subject:               c.Subject.pkixName(),
		RawSubject:            c.RawSubject,
		Issuer:                c.Issuer.pkixName(),
		NotBefore:             c.NotBefore,
		NotAfter:              c.NotAfter,
		DNSNames:              sans.dns,
		EmailAddresses:        sans.email,
		IPAddresses:           sans.ips,
		URIs:                  sans.uris,
		KeyUsage:              x509.KeyUsage(c.KeyUsage),
		ExtKeyUsage:           c.ExtKeyUsage,
		UnknownExtKeyUsage:    c.UnknownExtKeyUsage,
		SubjectKeyId:          c.SubjectKeyID,
		AuthorityKeyId:        c.AuthorityKeyID,
		OCSPServer:            c.OCSPServer,
		IssuingCertificateURL: c.IssuingCertificateURL,
		CRLDistributionPoints: c.CRLDistributionPoints,
		SignatureAlgorithm:    x509.SignatureAlgorithm(c.SignatureAlgorithm),
		PublicKey:             pub,
	}
	if c.SerialNumber.Int != nil {
		cert.SerialNumber = c.SerialNumber.Int
	}
	if err := c.setPolicies(cert); err != nil {
		return nil, err
	}
	c.setBasicConstraints(cert)
	c.setNameConstraints(cert)
	if err := c.setExtensions(cert, sans.extended); err != nil {
		return nil, err
	}
	if len(cert.SubjectKeyId) == 0 && pub != nil {
		if cert.SubjectKeyId, err = KeyIDFromSPKI(pub, rawSPKI); err != nil {
			return nil, err
		}
	}
	return cert, nil
}

// setPolicies fills both policy fields: Go 1.22+ writes Policies (which also
// carries arcs beyond int) and older code reads PolicyIdentifiers.
func (c *Certificate) setPolicies(cert *x509.Certificate) error {
	for _, oid := range c.PolicyIdentifiers {
		p, err := x509.OIDFromASN1OID(oid)
		if err != nil {
			return fmt.Errorf("policy identifier %s: %w", oid, err)
		}
		cert.Policies = append(cert.Policies, p)
		cert.PolicyIdentifiers = append(cert.PolicyIdentifiers, oid)
	}
	return nil
}

// setBasicConstraints applies step's meaning of maxPathLen (see
// BasicConstraints) to Go's two fields.
func (c *Certificate) setBasicConstraints(cert *x509.Certificate) {
	bc := c.BasicConstraints
	if bc == nil {
		return
	}
	cert.BasicConstraintsValid = true
	cert.IsCA = bc.IsCA
	cert.MaxPathLen = -1
	if !bc.IsCA {
		return
	}
	switch {
	case bc.MaxPathLen == 0:
		cert.MaxPathLen, cert.MaxPathLenZero = 0, true
	case bc.MaxPathLen > 0:
		cert.MaxPathLen = bc.MaxPathLen
	}
}

func (c *Certificate) setNameConstraints(cert *x509.Certificate) {
	nc := c.NameConstraints
	if nc == nil {
		return
	}
	cert.PermittedDNSDomainsCritical = nc.Critical
	cert.PermittedDNSDomains = nc.PermittedDNSDomains
	cert.ExcludedDNSDomains = nc.ExcludedDNSDomains
	cert.PermittedIPRanges = nc.PermittedIPRanges
	cert.ExcludedIPRanges = nc.ExcludedIPRanges
	cert.PermittedEmailAddresses = nc.PermittedEmailAddresses
	cert.ExcludedEmailAddresses = nc.ExcludedEmailAddresses
	cert.PermittedURIDomains = nc.PermittedURIDomains
	cert.ExcludedURIDomains = nc.ExcludedURIDomains
}

// setExtensions copies the template's raw extensions and adds a hand-built
// subjectAltName when needed. A raw extension with the SAN OID wins: the
// template author asked for those exact bytes.
func (c *Certificate) setExtensions(cert *x509.Certificate, extendedSANs bool) error {
	hasSAN := false
	for _, e := range c.Extensions {
		oid := asn1.ObjectIdentifier(e.ID)
		hasSAN = hasSAN || oid.Equal(oidExtSubjectAltName)
		cert.ExtraExtensions = append(cert.ExtraExtensions, pkix.Extension{Id: oid, Critical: e.Critical, Value: e.Value})
	}
	if !extendedSANs || hasSAN {
		return nil
	}
	emptySubject := len(c.RawSubject) == 0 && c.Subject.IsZero()
	if len(c.RawSubject) > 0 {
		var rdns pkix.RDNSequence
		_, err := asn1.Unmarshal(c.RawSubject, &rdns)
		emptySubject = err == nil && len(rdns) == 0
	}
	ext, err := buildSANExtension(c, emptySubject)
	if err != nil {
		return err
	}
	cert.ExtraExtensions = append(cert.ExtraExtensions, ext)
	return nil
}

// pkixName converts the JSON subject to Go's name. Extra names go to
// ExtraNames, which Go appends to the encoded RDN sequence.
func (s Subject) pkixName() pkix.Name {
	n := pkix.Name{
		Country:            s.Country,
		Organization:       s.Organization,
		OrganizationalUnit: s.OrganizationalUnit,
		Locality:           s.Locality,
		Province:           s.Province,
		StreetAddress:      s.StreetAddress,
		PostalCode:         s.PostalCode,
		SerialNumber:       s.SerialNumber,
		CommonName:         s.CommonName,
	}
	for _, e := range s.ExtraNames {
		n.ExtraNames = append(n.ExtraNames, pkix.AttributeTypeAndValue{Type: asn1.ObjectIdentifier(e.Type), Value: e.Value})
	}
	return n
}

// SubjectFromPKIX converts a Go name to the template's Subject, keeping
// attributes Go has no field for as extraNames when their value is a string.
func SubjectFromPKIX(n pkix.Name) Subject {
	s := Subject{
		Country:            n.Country,
		Organization:       n.Organization,
		OrganizationalUnit: n.OrganizationalUnit,
		Locality:           n.Locality,
		Province:           n.Province,
		StreetAddress:      n.StreetAddress,
		PostalCode:         n.PostalCode,
		SerialNumber:       n.SerialNumber,
		CommonName:         n.CommonName,
	}
	for _, atv := range n.Names {
		if known := pkixKnownAttribute(atv.Type); known {
			continue
		}
		if v, ok := atv.Value.(string); ok {
			s.ExtraNames = append(s.ExtraNames, DistinguishedName{Type: ObjectIdentifier(atv.Type), Value: v})
		}
	}
	return s
}

// pkixKnownAttribute reports whether pkix.Name.FillFromRDNSequence maps the
// attribute to a field of its own.
func pkixKnownAttribute(oid asn1.ObjectIdentifier) bool {
	if len(oid) != 4 || oid[0] != 2 || oid[1] != 5 || oid[2] != 4 {
		return false
	}
	switch oid[3] {
	case 3, 5, 6, 7, 8, 9, 10, 11, 17:
		return true
	}
	return false
}

// KeyID is the subject key identifier for a public key: the leftmost 160
// bits of the SHA-256 of the subjectPublicKey bits (RFC 7093 §2 method 1).
func KeyID(pub crypto.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("computing key identifier: %w", err)
	}
	var spki struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(der, &spki); err != nil {
		return nil, fmt.Errorf("computing key identifier: %w", err)
	}
	sum := sha256.Sum256(spki.PublicKey.RightAlign())
	return sum[:20], nil
}

// KeyIDFromSPKI is KeyID(pub) computed from rawSPKI, pub's DER
// SubjectPublicKeyInfo as it arrived (a CSR's RawSubjectPublicKeyInfo), so
// the key need not be re-encoded. The shortcut is taken only where the bits
// are those MarshalPKIXPublicKey would write: for the key types it accepts,
// a BIT STRING without unused bits and, for RSA, nothing trailing the
// RSAPublicKey (the one laxity of x509's parser for these keys; EC points
// and Ed25519/X25519 keys it takes at their exact length only). Anything
// else, including a nil or malformed rawSPKI, falls back to KeyID(pub).
func KeyIDFromSPKI(pub crypto.PublicKey, rawSPKI []byte) ([]byte, error) {
	switch pub.(type) {
	case *ecdsa.PublicKey, *rsa.PublicKey, ed25519.PublicKey, *ecdh.PublicKey:
	default:
		return KeyID(pub)
	}
	bits, ok := spkiKeyBits(rawSPKI)
	if ok {
		if _, isRSA := pub.(*rsa.PublicKey); isRSA {
			ok = isPKCS1PublicKey(bits)
		}
	}
	if !ok {
		return KeyID(pub)
	}
	sum := sha256.Sum256(bits)
	return sum[:20], nil
}

// spkiKeyBits returns the subjectPublicKey bits of a DER
// SubjectPublicKeyInfo, SEQUENCE { AlgorithmIdentifier, BIT STRING }, when
// it is well formed with nothing trailing and the BIT STRING has no unused
// bits.
func spkiKeyBits(der []byte) ([]byte, bool) {
	in := cryptobyte.String(der)
	var spki, alg, bits cryptobyte.String
	if !in.ReadASN1(&spki, cbasn1.SEQUENCE) || !in.Empty() ||
		!spki.ReadASN1(&alg, cbasn1.SEQUENCE) ||
		!spki.ReadASN1(&bits, cbasn1.BIT_STRING) || !spki.Empty() {
		return nil, false
	}
	var unused uint8
	if !bits.ReadUint8(&unused) || unused != 0 || bits.Empty() {
		return nil, false
	}
	return bits, true
}

// isPKCS1PublicKey reports whether b is exactly RSAPublicKey ::= SEQUENCE {
// modulus INTEGER, publicExponent INTEGER } with nothing after either
// integer or after the SEQUENCE. x509's parser ignores bytes trailing
// there, which MarshalPKIXPublicKey would not reproduce. (The integers
// themselves the parser only accepts in their minimal encoding, the one
// MarshalPKIXPublicKey writes.)
func isPKCS1PublicKey(b []byte) bool {
	in := cryptobyte.String(b)
	var seq, n, e cryptobyte.String
	return in.ReadASN1(&seq, cbasn1.SEQUENCE) && in.Empty() &&
		seq.ReadASN1(&n, cbasn1.INTEGER) && seq.ReadASN1(&e, cbasn1.INTEGER) && seq.Empty()
}

// DNDefaults are the authority's `template` DN defaults (ca.json
// authority.template, step's ASN1DN).
type DNDefaults struct {
	Country            string `json:"country,omitempty"`
	Organization       string `json:"organization,omitempty"`
	OrganizationalUnit string `json:"organizationalUnit,omitempty"`
	Locality           string `json:"locality,omitempty"`
	Province           string `json:"province,omitempty"`
	StreetAddress      string `json:"streetAddress,omitempty"`
	SerialNumber       string `json:"serialNumber,omitempty"`
	CommonName         string `json:"commonName,omitempty"`
}

// ApplyDNDefaults fills the subject attributes the template left empty with
// the authority's defaults; it never replaces a value. A certificate with a
// RawSubject is left alone, because Go would ignore Subject when signing it.
func ApplyDNDefaults(cert *x509.Certificate, d DNDefaults) {
	if len(cert.RawSubject) > 0 {
		return
	}
	fill := func(dst *[]string, v string) {
		if len(*dst) == 0 && v != "" {
			*dst = []string{v}
		}
	}
	s := &cert.Subject
	fill(&s.Country, d.Country)
	fill(&s.Organization, d.Organization)
	fill(&s.OrganizationalUnit, d.OrganizationalUnit)
	fill(&s.Locality, d.Locality)
	fill(&s.Province, d.Province)
	fill(&s.StreetAddress, d.StreetAddress)
	if s.SerialNumber == "" {
		s.SerialNumber = d.SerialNumber
	}
	if s.CommonName == "" {
		s.CommonName = d.CommonName
	}
}
