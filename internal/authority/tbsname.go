package authority

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"slices"
	"unicode/utf8"
)

// Name attribute types (RFC 5280 §4.1.2.4, X.520), in the order
// pkix.Name.ToRDNSequence writes them.
var (
	oidAttrCountry            = oidDER(asn1.ObjectIdentifier{2, 5, 4, 6})
	oidAttrProvince           = oidDER(asn1.ObjectIdentifier{2, 5, 4, 8})
	oidAttrLocality           = oidDER(asn1.ObjectIdentifier{2, 5, 4, 7})
	oidAttrStreetAddress      = oidDER(asn1.ObjectIdentifier{2, 5, 4, 9})
	oidAttrPostalCode         = oidDER(asn1.ObjectIdentifier{2, 5, 4, 17})
	oidAttrOrganization       = oidDER(asn1.ObjectIdentifier{2, 5, 4, 10})
	oidAttrOrganizationalUnit = oidDER(asn1.ObjectIdentifier{2, 5, 4, 11})
	oidAttrCommonName         = oidDER(asn1.ObjectIdentifier{2, 5, 4, 3})
	oidAttrSerialNumber       = oidDER(asn1.ObjectIdentifier{2, 5, 4, 5})
)

// nameDER returns the DER Name CreateCertificate uses for c as subject (or,
// for the parent, as issuer): RawSubject when set, as Go does, else the
// encoding of c.Subject. ok is false for names the fast path does not write
// (ExtraNames) or that Go cannot encode (invalid UTF-8).
func nameDER(c *x509.Certificate) ([]byte, bool) {
	if len(c.RawSubject) > 0 {
		return c.RawSubject, true
	}
	n := &c.Subject
	if len(n.ExtraNames) > 0 {
		return nil, false
	}
	d := derWriter{b: make([]byte, 0, 128)}
	seq := d.open(tagSequence)
	d.rdn(oidAttrCountry, n.Country...)
	d.rdn(oidAttrProvince, n.Province...)
	d.rdn(oidAttrLocality, n.Locality...)
	d.rdn(oidAttrStreetAddress, n.StreetAddress...)
	d.rdn(oidAttrPostalCode, n.PostalCode...)
	d.rdn(oidAttrOrganization, n.Organization...)
	d.rdn(oidAttrOrganizationalUnit, n.OrganizationalUnit...)
	if n.CommonName != "" {
		d.rdn(oidAttrCommonName, n.CommonName)
	}
	if n.SerialNumber != "" {
		d.rdn(oidAttrSerialNumber, n.SerialNumber)
	}
	d.close(seq)
	return d.b, !d.bad
}

// rdn writes one RelativeDistinguishedName holding an attribute of type
// oid (a DER OBJECT IDENTIFIER) for each value (Go makes one multi-valued
// RDN per field), nothing for no values. DER orders the members of a SET
// OF by their encodings (X.690 §11.6).
func (d *derWriter) rdn(oid []byte, values ...string) {
	if len(values) == 0 {
		return
	}
	set := d.open(tagSet)
	if len(values) > 1 {
		ends := make([]int, len(values))
		for i, v := range values {
			d.atv(oid, v)
			ends[i] = len(d.b)
		}
		atvs := make([][]byte, len(values))
		buf := append([]byte(nil), d.b[set:]...)
		for i := range ends {
			from := set
			if i > 0 {
				from = ends[i-1]
			}
			atvs[i] = buf[from-set : ends[i]-set]
		}
		slices.SortFunc(atvs, bytes.Compare)
		d.b = d.b[:set]
		for _, a := range atvs {
			d.raw(a)
		}
	} else {
		d.atv(oid, values[0])
	}
	d.close(set)
}

// atv writes AttributeTypeAndValue ::= SEQUENCE { type, value } with the
// string type encoding/asn1 picks for a Go string: PrintableString when
// every byte is in its set (without '*' and '&'), else UTF8String; a string
// that is not valid UTF-8 is an error in Go and ineligible here.
func (d *derWriter) atv(oid []byte, v string) {
	tag := byte(tagPrintableString)
	for i := 0; i < len(v); i++ {
		if !printable(v[i]) {
			if !utf8.ValidString(v) {
				d.bad = true
				return
			}
			tag = tagUTF8String
			break
		}
	}
	s := d.open(tagSequence)
	d.raw(oid)
	d.tlvString(tag, v)
	d.close(s)
}

// printable reports whether c is in the PrintableString set (X.680 §41.4):
// letters, digits, space and ' ( ) + , - . / : = ?.
func printable(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	switch c {
	case ' ', '\'', '(', ')', '+', ',', '-', '.', '/', ':', '=', '?':
		return true
	}
	return false
}
