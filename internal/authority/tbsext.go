package authority

import (
	"crypto/x509"
	"encoding/asn1"
	"net"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
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

// addExtensions writes [3] EXPLICIT Extensions as CreateCertificate's
// buildCertExtensions does for the fields the fast path allows: key usage,
// extended key usage, basic constraints, subject and authority key
// identifiers, subject alternative names, in that order, each left out when
// an ExtraExtensions entry has its OID; then ExtraExtensions as given. No
// extension at all: no [3].
func addExtensions(b *cryptobyte.Builder, t *x509.Certificate, subjectEmpty bool, aki []byte) {
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
	b.AddASN1(cbasn1.Tag(3).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			if ku {
				addExtension(b, oidExtKeyUsage, true, func(b *cryptobyte.Builder) { addKeyUsage(b, t.KeyUsage) })
			}
			if eku {
				addExtension(b, oidExtExtendedKeyUsage, false, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						for _, u := range t.ExtKeyUsage {
							oid, ok := extKeyUsageOIDs[u]
							if !ok {
								b.SetError(errIneligible) // CreateCertificate errors
								return
							}
							b.AddASN1ObjectIdentifier(oid)
						}
					})
				})
			}
			if bc {
				addExtension(b, oidExtBasicConstraints, true, func(b *cryptobyte.Builder) {
					addBasicConstraints(b, t.IsCA, t.MaxPathLen, t.MaxPathLenZero)
				})
			}
			if ski {
				addExtension(b, oidExtSubjectKeyID, false, func(b *cryptobyte.Builder) {
					b.AddASN1OctetString(t.SubjectKeyId)
				})
			}
			if akid {
				// AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT … }
				addExtension(b, oidExtAuthorityKeyID, false, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1(cbasn1.Tag(0).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes(aki) })
					})
				})
			}
			if san {
				// RFC 5280 §4.2.1.6: critical when the subject is empty.
				addExtension(b, oidExtSubjectAltName, subjectEmpty, func(b *cryptobyte.Builder) { addSANs(b, t) })
			}
			for _, e := range t.ExtraExtensions {
				if !validOID(e.Id) {
					b.SetError(errIneligible)
					return
				}
				addExtension(b, e.Id, e.Critical, func(b *cryptobyte.Builder) { b.AddBytes(e.Value) })
			}
		})
	})
}

// addExtension writes Extension ::= SEQUENCE { extnID, critical BOOLEAN
// DEFAULT FALSE, extnValue OCTET STRING }; value writes the octets.
func addExtension(b *cryptobyte.Builder, oid asn1.ObjectIdentifier, critical bool, value cryptobyte.BuilderContinuation) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oid)
		if critical {
			b.AddASN1Boolean(true)
		}
		b.AddASN1(cbasn1.OCTET_STRING, value)
	})
}

// validOID: an OID both encoding/asn1 and cryptobyte encode, the same way
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

// addKeyUsage writes KeyUsage ::= BIT STRING as Go does: bit 0
// (digitalSignature) is the first, most significant, bit; one octet, two
// when decipherOnly (bit 8) is set; the unused-bits count drops the
// trailing zero bits (DER, X.690 §11.2.2).
func addKeyUsage(b *cryptobyte.Builder, ku x509.KeyUsage) {
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
	b.AddASN1(cbasn1.BIT_STRING, func(b *cryptobyte.Builder) {
		b.AddUint8(unused)
		b.AddBytes(octets[:n])
	})
}

// addBasicConstraints writes BasicConstraints ::= SEQUENCE { cA BOOLEAN
// DEFAULT FALSE, pathLenConstraint INTEGER OPTIONAL } with Go's reading of
// MaxPathLen: -1, or 0 without MaxPathLenZero, means no limit.
func addBasicConstraints(b *cryptobyte.Builder, isCA bool, maxPathLen int, maxPathLenZero bool) {
	if maxPathLen == 0 && !maxPathLenZero {
		maxPathLen = -1
	}
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		if isCA {
			b.AddASN1Boolean(true)
		}
		if maxPathLen >= 0 {
			b.AddASN1Int64(int64(maxPathLen))
		}
	})
}

// addSANs writes GeneralNames in Go's order: DNS names, email addresses, IP
// addresses (IPv4 in 4 octets), URIs. A name Go refuses as an IA5String (a
// byte above 0x7f) or an IP or URI it would write oddly makes the template
// ineligible.
func addSANs(b *cryptobyte.Builder, t *x509.Certificate) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		for _, name := range t.DNSNames {
			addIA5Name(b, 2, name) // dNSName
		}
		for _, email := range t.EmailAddresses {
			addIA5Name(b, 1, email) // rfc822Name
		}
		for _, ip := range t.IPAddresses {
			if v4 := ip.To4(); v4 != nil {
				ip = v4
			} else if len(ip) != net.IPv6len {
				b.SetError(errIneligible)
				return
			}
			b.AddASN1(cbasn1.Tag(7).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes(ip) }) // iPAddress
		}
		for _, u := range t.URIs {
			if u == nil {
				b.SetError(errIneligible)
				return
			}
			addIA5Name(b, 6, u.String()) // uniformResourceIdentifier
		}
	})
}

// addIA5Name writes a [tag] IMPLICIT IA5String GeneralName.
func addIA5Name(b *cryptobyte.Builder, tag uint8, s string) {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			b.SetError(errIneligible) // CreateCertificate errors
			return
		}
	}
	b.AddASN1(cbasn1.Tag(tag).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes([]byte(s)) })
}
