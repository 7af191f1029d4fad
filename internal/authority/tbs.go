package authority

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// The TBSCertificate fast path.
//
// Why: even without its self-check (see createCertificate),
// x509.CreateCertificate spends about 50 µs per leaf outside the signature,
// most of it in the reflective encoding/asn1.Marshal of the TBSCertificate,
// of the subject name and of each extension. For the shape of certificate
// this CA issues all day (a leaf with a plain subject, SANs, key usages,
// key identifiers and extra extensions such as the provisioner's), the DER
// is simple enough to write directly (derWriter, der.go).
//
// The contract: when encodeTBS returns ok, its bytes are exactly the
// TBSCertificate x509.CreateCertificate would have signed for the same
// template, parent, public key and issuer key (TestTBSFastPathMatches,
// FuzzTBSFastPath compare them byte for byte). Whenever a template uses
// anything not reproduced here, or anything for which CreateCertificate
// would fail, encodeTBS returns !ok and the caller takes the existing path,
// so CreateCertificate keeps deciding (and reporting errors for) everything
// unusual.

// fastCreateCertificate signs tmpl through the fast path. ok is false when
// the template is not eligible (or signing failed): the caller must then
// use the existing path, which decides and reports errors.
func fastCreateCertificate(tmpl, parent *x509.Certificate, pub any, signer crypto.Signer) ([]byte, bool) {
	tbs, opts, ok := encodeTBS(tmpl, parent, pub, signer)
	if !ok {
		return nil, false
	}
	// The same call, options and randomness source as CreateCertificate's
	// signTBS (and tbsCapture).
	sig, err := crypto.SignMessage(signer, rand.Reader, tbs, opts)
	if err != nil {
		return nil, false
	}
	der, ok := assembleCertificate(tbs, sig)
	if ok {
		fastTBSCount.Add(1)
	}
	return der, ok
}

// fastTBSCount counts the certificates signed through the fast path, so
// that tests (and a debugger) can tell which path issued a certificate.
var fastTBSCount atomic.Uint64

// encodeTBS returns the DER TBSCertificate CreateCertificate would build,
// and the SignerOpts CreateCertificate would sign it with, or ok = false
// when the template is outside the fast path.
func encodeTBS(tmpl, parent *x509.Certificate, pub any, signer crypto.Signer) (tbs []byte, opts crypto.SignerOpts, ok bool) {
	if !tbsEligible(tmpl) {
		return nil, nil, false
	}
	sigAlg, opts, ok := signingParams(signer, tmpl.SignatureAlgorithm)
	if !ok {
		return nil, nil, false
	}
	// CreateCertificate refuses an issuer key that does not match the
	// parent's public key; leave that error to it.
	if parent.PublicKey != nil {
		k, isKey := signer.Public().(interface{ Equal(crypto.PublicKey) bool })
		if !isKey || !k.Equal(parent.PublicKey) {
			return nil, nil, false
		}
	}
	issuer, ok := nameDER(parent)
	if !ok {
		return nil, nil, false
	}
	subject, ok := nameDER(tmpl)
	if !ok {
		return nil, nil, false
	}
	// As CreateCertificate: the parent's key identifier unless the
	// certificate is self-issued, else the template's.
	aki := tmpl.AuthorityKeyId
	if !bytes.Equal(issuer, subject) && len(parent.SubjectKeyId) > 0 {
		aki = parent.SubjectKeyId
	}

	d := derWriter{b: make([]byte, 0, 1024)}
	tbsStart := d.open(tagSequence)
	d.raw(tbsVersion3)
	d.bigUint(tmpl.SerialNumber)
	d.raw(sigAlg)
	d.raw(issuer)
	validity := d.open(tagSequence)
	d.time(tmpl.NotBefore)
	d.time(tmpl.NotAfter)
	d.close(validity)
	d.raw(subject)
	d.spki(pub)
	d.extensions(tmpl, bytes.Equal(subject, emptyName), aki)
	d.close(tbsStart)
	if d.bad {
		return nil, nil, false
	}
	return d.b, opts, true
}

// tbsVersion3 is version [0] EXPLICIT INTEGER 2 (v3).
var tbsVersion3 = []byte{0xa0, 0x03, 0x02, 0x01, 0x02}

// tbsEligible is the conservative part of the predicate that looks only at
// the template: every field CreateCertificate reads that the fast path does
// not reproduce must be unset. The rest (encodability of names, SANs,
// times, keys) is checked while encoding.
func tbsEligible(t *x509.Certificate) bool {
	if t.SerialNumber == nil || t.SerialNumber.Sign() <= 0 {
		return false // nil: CreateCertificate draws one; negative: it errors
	}
	if len(t.OCSPServer) > 0 || len(t.IssuingCertificateURL) > 0 || len(t.CRLDistributionPoints) > 0 ||
		len(t.PolicyIdentifiers) > 0 || len(t.Policies) > 0 || len(t.UnknownExtKeyUsage) > 0 ||
		len(t.PermittedDNSDomains) > 0 || len(t.ExcludedDNSDomains) > 0 ||
		len(t.PermittedIPRanges) > 0 || len(t.ExcludedIPRanges) > 0 ||
		len(t.PermittedEmailAddresses) > 0 || len(t.ExcludedEmailAddresses) > 0 ||
		len(t.PermittedURIDomains) > 0 || len(t.ExcludedURIDomains) > 0 {
		return false
	}
	if t.KeyUsage < 0 || t.KeyUsage >= 1<<9 {
		return false // only the nine bits RFC 5280 defines
	}
	if t.BasicConstraintsValid {
		if t.MaxPathLen < -1 {
			return false // CreateCertificate errors
		}
		if !t.IsCA && t.MaxPathLen != -1 && (t.MaxPathLen != 0 || t.MaxPathLenZero) {
			return false // CreateCertificate errors
		}
	}
	if t.IsCA && len(t.SubjectKeyId) == 0 {
		// CreateCertificate derives the key identifier, by a method that
		// depends on GODEBUG x509sha256skid.
		return false
	}
	return true
}

// Signature AlgorithmIdentifiers as CreateCertificate writes them for each
// key's default algorithm: ECDSA and Ed25519 without parameters (RFC 5758,
// RFC 8410), RSA with NULL parameters (RFC 4055).
var (
	algECDSAWithSHA256 = algorithmIdentifier(asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}, nil)
	algECDSAWithSHA384 = algorithmIdentifier(asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}, nil)
	algECDSAWithSHA512 = algorithmIdentifier(asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}, nil)
	algPureEd25519     = algorithmIdentifier(asn1.ObjectIdentifier{1, 3, 101, 112}, nil)
	algSHA256WithRSA   = algorithmIdentifier(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}, asn1NULL)
)

var asn1NULL = []byte{0x05, 0x00}

// signingParams mirrors CreateCertificate's choice of signature algorithm
// for the in-process keys, limited to each key's default algorithm (an
// explicit SignatureAlgorithm equal to the default is the same thing):
// ECDSA with the hash matching the curve, pure Ed25519, RSA PKCS #1 v1.5
// with SHA-256. It returns the AlgorithmIdentifier DER and the SignerOpts
// CreateCertificate passes to crypto.SignMessage.
func signingParams(signer crypto.Signer, requested x509.SignatureAlgorithm) ([]byte, crypto.SignerOpts, bool) {
	var (
		alg  x509.SignatureAlgorithm
		der  []byte
		hash crypto.Hash
	)
	switch k := signer.(type) {
	case *ecdsa.PrivateKey:
		switch k.Curve {
		case elliptic.P256():
			alg, der, hash = x509.ECDSAWithSHA256, algECDSAWithSHA256, crypto.SHA256
		case elliptic.P384():
			alg, der, hash = x509.ECDSAWithSHA384, algECDSAWithSHA384, crypto.SHA384
		case elliptic.P521():
			alg, der, hash = x509.ECDSAWithSHA512, algECDSAWithSHA512, crypto.SHA512
		default:
			return nil, nil, false
		}
	case ed25519.PrivateKey:
		alg, der, hash = x509.PureEd25519, algPureEd25519, crypto.Hash(0)
	case *rsa.PrivateKey:
		alg, der, hash = x509.SHA256WithRSA, algSHA256WithRSA, crypto.SHA256
	default:
		return nil, nil, false
	}
	if requested != x509.UnknownSignatureAlgorithm && requested != alg {
		return nil, nil, false
	}
	return der, hash, true
}

// algorithmIdentifier encodes AlgorithmIdentifier ::= SEQUENCE { algorithm
// OID, parameters ANY OPTIONAL } with params as given (nil: absent).
func algorithmIdentifier(oid asn1.ObjectIdentifier, params []byte) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oid)
		b.AddBytes(params)
	})
	return b.BytesOrPanic()
}

// time writes t (in UTC) as encoding/asn1 does for a time.Time: UTCTime
// for the years 1950 to 2049, GeneralizedTime otherwise (RFC 5280
// §4.1.2.5), whole seconds, "Z". A year GeneralizedTime cannot hold sends
// the template to the existing path (where Marshal fails).
func (d *derWriter) time(t time.Time) {
	t = t.UTC()
	year := t.Year()
	var s int
	switch {
	case 1950 <= year && year < 2050:
		s = d.open(tagUTCTime)
		d.b = appendDigits(d.b, year%100, 2)
	case 0 <= year && year <= 9999:
		s = d.open(tagGeneralizedTime)
		d.b = appendDigits(d.b, year, 4)
	default:
		d.bad = true
		return
	}
	_, month, day := t.Date()
	hour, minute, second := t.Clock()
	d.b = appendDigits(d.b, int(month), 2)
	d.b = appendDigits(d.b, day, 2)
	d.b = appendDigits(d.b, hour, 2)
	d.b = appendDigits(d.b, minute, 2)
	d.b = appendDigits(d.b, second, 2)
	d.b = append(d.b, 'Z')
	d.close(s)
}

// appendDigits appends v (≥ 0) in n decimal digits.
func appendDigits(dst []byte, v, n int) []byte {
	for range n {
		dst = append(dst, '0')
	}
	for i := len(dst) - 1; i >= len(dst)-n; i-- {
		dst[i] = byte('0' + v%10)
		v /= 10
	}
	return dst
}

// SubjectPublicKeyInfo algorithm identifiers as x509.MarshalPKIXPublicKey
// writes them: id-ecPublicKey with the named curve, rsaEncryption with NULL
// parameters, id-Ed25519 without parameters.
var (
	oidECPublicKey = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	spkiAlgP256    = algorithmIdentifier(oidECPublicKey, oidDER(asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 7}))
	spkiAlgP384    = algorithmIdentifier(oidECPublicKey, oidDER(asn1.ObjectIdentifier{1, 3, 132, 0, 34}))
	spkiAlgP521    = algorithmIdentifier(oidECPublicKey, oidDER(asn1.ObjectIdentifier{1, 3, 132, 0, 35}))
	spkiAlgRSA     = algorithmIdentifier(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}, asn1NULL)
	spkiAlgEd25519 = algorithmIdentifier(asn1.ObjectIdentifier{1, 3, 101, 112}, nil)
	emptyName      = []byte{0x30, 0x00}
)

func oidDER(oid asn1.ObjectIdentifier) []byte {
	var b cryptobyte.Builder
	b.AddASN1ObjectIdentifier(oid)
	return b.BytesOrPanic()
}

// spki writes SubjectPublicKeyInfo ::= SEQUENCE { algorithm,
// subjectPublicKey BIT STRING } for the key types CreateCertificate's
// marshalPublicKey handles the way written here.
func (d *derWriter) spki(pub any) {
	var alg, key []byte
	var rsaKey *rsa.PublicKey
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256():
			alg = spkiAlgP256
		case elliptic.P384():
			alg = spkiAlgP384
		case elliptic.P521():
			alg = spkiAlgP521
		default:
			d.bad = true
			return
		}
		var err error
		if key, err = k.Bytes(); err != nil {
			d.bad = true
			return
		}
	case ed25519.PublicKey:
		if len(k) != ed25519.PublicKeySize {
			d.bad = true
			return
		}
		alg, key = spkiAlgEd25519, k
	case *rsa.PublicKey:
		if k.N == nil || k.N.Sign() <= 0 || k.E <= 0 {
			d.bad = true
			return
		}
		alg, rsaKey = spkiAlgRSA, k
	default:
		d.bad = true
		return
	}
	s := d.open(tagSequence)
	d.raw(alg)
	bits := d.open(tagBitString)
	d.b = append(d.b, 0) // no unused bits
	if rsaKey != nil {
		// RSAPublicKey ::= SEQUENCE { modulus, publicExponent } (RFC 8017)
		rs := d.open(tagSequence)
		d.bigUint(rsaKey.N)
		d.uint(uint64(rsaKey.E))
		d.close(rs)
	} else {
		d.raw(key)
	}
	d.close(bits)
	d.close(s)
}
