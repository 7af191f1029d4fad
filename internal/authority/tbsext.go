package authority

import (
	"crypto/x509"
	"encoding/asn1"
	"net"
)

// Certificate extension OIDs (RFC 5280 §4.2.1).
var (
	oidExtSubjectKeyID     = asn1.ObjectIdentifier{2, 5, 29, 14}
	oidExtKeyUsage         = asn1.ObjectIdentifier{2, 5, 29, 15}
	oidExtSubjectAltName   = asn1.ObjectIdentifier{2, 5, 29, 17}
	oidExtBasicConstraints = asn1.ObjectIdentifier{2, 5, 29, 19}
	oidExtAuthorityKeyID   = asn1.ObjectIdentifier{2, 5, 29, 35}
	oidExtExtendedKeyUsage = asn1.ObjectIdentifier{2, 5, 29, 37}
	extKeyUsageOIDs        = map[x509.ExtKeyUsage]asn1.ObjectIdentifier{
		x509.ExtKeyUsageAny:                            {2, 5, 29, 37, 0},
		x509.ExtKeyUsageServerAuth:                     {1, 3, 6, 1, 5, 5, 7, 3, 1},
		x509.ExtKeyUsageClientAuth:                     {1, 3, 6, 1, 5, 5, 7, 3, 2},
		x509.ExtKeyUsageCodeSigning:                    {1, 3, 6, 1, 5, 5, 7, 3, 3},
		x509.ExtKeyUsageEmailProtection:                {1, 3, 6, 1, 5, 5, 7, 3, 4},
		x509.ExtKeyUsageIPSECEndSystem:                 {1, 3, 6, 1, 5, 5, 7, 3, 5},
		x509.ExtKeyUsageIPSECTunnel:                    {1, 3, 6, 1, 5, 5, 7, 3, 6},
		x509.ExtKeyUsageIPSECUser:                      {1, 3, 6, 1, 5, 5, 7, 3, 7},
		x509.ExtKeyUsageTimeStamping:                   {1, 3, 6, 1, 5, 5, 7, 3, 8},
		x509.ExtKeyUsageOCSPSigning:                    {1, 3, 6, 1, 5, 5, 7, 3, 9},
		x509.ExtKeyUsageMicrosoftServerGatedCrypto:     {1, 3, 6, 1, 4, 1, 311, 10, 3, 3},
		x509.ExtKeyUsageNetscapeServerGatedCrypto:      {2, 16, 840, 1, 113730, 4, 1},
		x509.ExtKeyUsageMicrosoftCommercialCodeSigning: {1, 3, 6, 1, 4, 1, 311, 2, 1, 22},
		x509.ExtKeyUsageMicrosoftKernelCodeSigning:     {1, 3, 6, 1, 4, 1, 311, 61, 1, 1},
	}
)

// The DER of those OIDs, written as they are.
var (
	derExtSubjectKeyID     = oidDER(oidExtSubjectKeyID)
	derExtKeyUsage         = oidDER(oidExtKeyUsage)
	derExtSubjectAltName   = oidDER(oidExtSubjectAltName)
	derExtBasicConstraints = oidDER(oidExtBasicConstraints)
	derExtAuthorityKeyID   = oidDER(oidExtAuthorityKeyID)
	derExtExtendedKeyUsage = oidDER(oidExtExtendedKeyUsage)
	derExtKeyUsages        = func() map[x509.ExtKeyUsage][]byte {
		m := make(map[x509.ExtKeyUsage][]byte, len(extKeyUsageOIDs))
		for u, oid := range extKeyUsageOIDs {
			m[u] = oidDER(oid)
		}
		return m
	}()
)

// extensions writes [3] EXPLICIT Extensions as CreateCertificate's
// buildCertExtensions does for the fields the fast path allows: key usage,
// extended key usage, basic constraints, subject and authority key
// identifiers, subject alternative names, in that order, each left out when
// an ExtraExtensions entry has its OID; then ExtraExtensions as given. No
// extension at all: no [3].
func (d *derWriter) extensions(t *x509.Certificate, subjectEmpty bool, aki []byte) {
	extra := func(oid asn1.ObjectIdentifier) bool {
		for _, e := range t.ExtraExtensions {
			if e.Id.Equal(oid) {
				return true
			}
		}
		return false
	}
	ku := t.KeyUsage != 0 && !extra(oidExtKeyUsage)
	eku := len(t.ExtKeyUsage) > 0 && !extra(oidExtExtendedKeyUsage)
	bc := t.BasicConstraintsValid && !extra(oidExtBasicConstraints)
	ski := len(t.SubjectKeyId) > 0 && !extra(oidExtSubjectKeyID)
	akid := len(aki) > 0 && !extra(oidExtAuthorityKeyID)
	san := (len(t.DNSNames) > 0 || len(t.EmailAddresses) > 0 || len(t.IPAddresses) > 0 || len(t.URIs) > 0) &&
		!extra(oidExtSubjectAltName)
	if !ku && !eku && !bc && !ski && !akid && !san && len(t.ExtraExtensions) == 0 {
		return
	}
	outer := d.open(tagContextCons | 3)
	list := d.open(tagSequence)
	if ku {
		e, v := d.openExtension(derExtKeyUsage, true)
		d.keyUsage(t.KeyUsage)
		d.closeExtension(e, v)
	}
	if eku {
		e, v := d.openExtension(derExtExtendedKeyUsage, false)
		s := d.open(tagSequence)
		for _, u := range t.ExtKeyUsage {
			oid, ok := derExtKeyUsages[u]
			if !ok {
				d.bad = true // CreateCertificate errors
				return
			}
			d.raw(oid)
		}
		d.close(s)
		d.closeExtension(e, v)
	}
	if bc {
		e, v := d.openExtension(derExtBasicConstraints, true)
		d.basicConstraints(t.IsCA, t.MaxPathLen, t.MaxPathLenZero)
		d.closeExtension(e, v)
	}
	if ski {
		e, v := d.openExtension(derExtSubjectKeyID, false)
		d.tlv(tagOctetString, t.SubjectKeyId)
		d.closeExtension(e, v)
	}
	if akid {
		// AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT … }
		e, v := d.openExtension(derExtAuthorityKeyID, false)
		s := d.open(tagSequence)
		d.tlv(tagContext|0, aki)
		d.close(s)
		d.closeExtension(e, v)
	}
	if san {
		// RFC 5280 §4.2.1.6: critical when the subject is empty.
		e, v := d.openExtension(derExtSubjectAltName, subjectEmpty)
		d.sans(t)
		d.closeExtension(e, v)
	}
	for _, x := range t.ExtraExtensions {
		if !validOID(x.Id) {
			d.bad = true
			return
		}
		e := d.open(tagSequence)
		d.oid(x.Id)
		if x.Critical {
			d.raw(derTrue)
		}
		d.tlv(tagOctetString, x.Value)
		d.close(e)
	}
	d.close(list)
	d.close(outer)
}

// derTrue is BOOLEAN TRUE in DER.
var derTrue = []byte{tagBoolean, 0x01, 0xff}

// openExtension starts Extension ::= SEQUENCE { extnID, critical BOOLEAN
// DEFAULT FALSE, extnValue OCTET STRING } up to the value's octets; oid is
// the extnID's DER. closeExtension ends it.
func (d *derWriter) openExtension(oid []byte, critical bool) (ext, value int) {
	ext = d.open(tagSequence)
	d.raw(oid)
	if critical {
		d.raw(derTrue)
	}
	return ext, d.open(tagOctetString)
}

func (d *derWriter) closeExtension(ext, value int) {
	d.close(value)
	d.close(ext)
}

// validOID: an OID both encoding/asn1 and derWriter encode, the same way
// (at least two arcs, a valid first pair, arcs in 0..2³¹-1).
func validOID(oid asn1.ObjectIdentifier) bool {
	if len(oid) < 2 || oid[0] < 0 || oid[0] > 2 || (oid[0] < 2 && oid[1] >= 40) {
		return false
	}
	for _, a := range oid {
		if a < 0 || a > 1<<31-1 {
			return false
		}
	}
	return true
}

// keyUsage writes KeyUsage ::= BIT STRING as Go does: bit 0
// (digitalSignature) is the first, most significant, bit; one octet, two
// when decipherOnly (bit 8) is set; the unused-bits count drops the
// trailing zero bits (DER, X.690 §11.2.2).
func (d *derWriter) keyUsage(ku x509.KeyUsage) {
	var octets [2]byte
	for bit := range 9 {
		if ku&(1<<bit) != 0 {
			octets[bit/8] |= 0x80 >> (bit % 8)
		}
	}
	n := 1
	if octets[1] != 0 {
		n = 2
	}
	last := octets[n-1]
	unused := byte(0)
	for last != 0 && last&(1<<unused) == 0 {
		unused++
	}
	s := d.open(tagBitString)
	d.b = append(d.b, unused)
	d.b = append(d.b, octets[:n]...)
	d.close(s)
}

// basicConstraints writes BasicConstraints ::= SEQUENCE { cA BOOLEAN
// DEFAULT FALSE, pathLenConstraint INTEGER OPTIONAL } with Go's reading of
// MaxPathLen: -1, or 0 without MaxPathLenZero, means no limit.
func (d *derWriter) basicConstraints(isCA bool, maxPathLen int, maxPathLenZero bool) {
	if maxPathLen == 0 && !maxPathLenZero {
		maxPathLen = -1
	}
	s := d.open(tagSequence)
	if isCA {
		d.raw(derTrue)
	}
	if maxPathLen >= 0 {
		d.uint(uint64(maxPathLen))
	}
	d.close(s)
}

// sans writes GeneralNames in Go's order: DNS names, email addresses, IP
// addresses (IPv4 in 4 octets), URIs. A name Go refuses as an IA5String (a
// byte above 0x7f) or an IP or URI it would write oddly makes the template
// ineligible.
func (d *derWriter) sans(t *x509.Certificate) {
	s := d.open(tagSequence)
	for _, name := range t.DNSNames {
		d.ia5Name(2, name) // dNSName
	}
	for _, email := range t.EmailAddresses {
		d.ia5Name(1, email) // rfc822Name
	}
	for _, ip := range t.IPAddresses {
		if v4 := ip.To4(); v4 != nil {
			ip = v4
		} else if len(ip) != net.IPv6len {
			d.bad = true
			return
		}
		d.tlv(tagContext|7, ip) // iPAddress
	}
	for _, u := range t.URIs {
		if u == nil {
			d.bad = true
			return
		}
		d.ia5Name(6, u.String()) // uniformResourceIdentifier
	}
	d.close(s)
}

// ia5Name writes a [tag] IMPLICIT IA5String GeneralName.
func (d *derWriter) ia5Name(tag byte, s string) {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			d.bad = true // CreateCertificate errors
			return
		}
	}
	d.tlvString(tagContext|tag, s)
}
