package authority

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"slices"
	"unicode/utf8"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Name attribute types (RFC 5280 §4.1.2.4, X.520), in the order
// pkix.Name.ToRDNSequence writes them.
var (
	oidAttrCountry            = asn1.ObjectIdentifier{2, 5, 4, 6}
	oidAttrProvince           = asn1.ObjectIdentifier{2, 5, 4, 8}
	oidAttrLocality           = asn1.ObjectIdentifier{2, 5, 4, 7}
	oidAttrStreetAddress      = asn1.ObjectIdentifier{2, 5, 4, 9}
	oidAttrPostalCode         = asn1.ObjectIdentifier{2, 5, 4, 17}
	oidAttrOrganization       = asn1.ObjectIdentifier{2, 5, 4, 10}
	oidAttrOrganizationalUnit = asn1.ObjectIdentifier{2, 5, 4, 11}
	oidAttrCommonName         = asn1.ObjectIdentifier{2, 5, 4, 3}
	oidAttrSerialNumber       = asn1.ObjectIdentifier{2, 5, 4, 5}
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
	b := cryptobyte.NewBuilder(make([]byte, 0, 128))
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		addRDN(b, oidAttrCountry, n.Country...)
		addRDN(b, oidAttrProvince, n.Province...)
		addRDN(b, oidAttrLocality, n.Locality...)
		addRDN(b, oidAttrStreetAddress, n.StreetAddress...)
		addRDN(b, oidAttrPostalCode, n.PostalCode...)
		addRDN(b, oidAttrOrganization, n.Organization...)
		addRDN(b, oidAttrOrganizationalUnit, n.OrganizationalUnit...)
		if n.CommonName != "" {
			addRDN(b, oidAttrCommonName, n.CommonName)
		}
		if n.SerialNumber != "" {
			addRDN(b, oidAttrSerialNumber, n.SerialNumber)
		}
	})
	der, err := b.Bytes()
	return der, err == nil
}

// addRDN writes one RelativeDistinguishedName holding an attribute of type
// oid for each value (Go makes one multi-valued RDN per field), nothing for
// no values. DER orders the members of a SET OF by their encodings.
func addRDN(b *cryptobyte.Builder, oid asn1.ObjectIdentifier, values ...string) {
	switch len(values) {
	case 0:
		return
	case 1:
		b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { addATV(b, oid, values[0]) })
		return
	}
	atvs := make([][]byte, len(values))
	for i, v := range values {
		var ab cryptobyte.Builder
		addATV(&ab, oid, v)
		der, err := ab.Bytes()
		if err != nil {
			b.SetError(err)
			return
		}
		atvs[i] = der
	}
	slices.SortFunc(atvs, bytes.Compare)
	b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
		for _, a := range atvs {
			b.AddBytes(a)
		}
	})
}

// addATV writes AttributeTypeAndValue ::= SEQUENCE { type, value } with the
// string type encoding/asn1 picks for a Go string: PrintableString when
// every byte is in its set (without '*' and '&'), else UTF8String; a string
// that is not valid UTF-8 is an error in Go and ineligible here.
func addATV(b *cryptobyte.Builder, oid asn1.ObjectIdentifier, v string) {
	tag := cbasn1.PrintableString
	for i := 0; i < len(v); i++ {
		if !printable(v[i]) {
			if !utf8.ValidString(v) {
				b.SetError(errIneligible)
				return
			}
			tag = cbasn1.UTF8String
			break
		}
	}
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oid)
		b.AddASN1(tag, func(b *cryptobyte.Builder) { b.AddBytes([]byte(v)) })
	})
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
