package authority

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"io"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// createCertificate is x509.CreateCertificate without its final check of the
// signature it has just made, for the issuer keys that live in this process.
//
// Why: CreateCertificate verifies every signature it produces, to catch a
// faulty crypto.Signer (an HSM or KMS returning garbage). For a P-256
// intermediate that verify costs more than the signature itself: about a
// quarter of the CPU floor of POST /sign (token, CSR and this check are three
// verifies beside one sign). A software key is signed by the standard
// library, whose output needs no such check, so for *ecdsa.PrivateKey,
// ed25519.PrivateKey and *rsa.PrivateKey we skip it; any other signer (a
// future HSM or KMS) takes the checked path unchanged.
//
// How, without re-encoding anything: CreateCertificate hands the finished
// TBSCertificate to a crypto.MessageSigner's SignMessage. tbsCapture is that
// signer: it signs the TBS with the real key exactly as CreateCertificate
// would (same call, options and randomness source), keeps both, and stops
// CreateCertificate before its check. The certificate is then the
// TBSCertificate, the signature AlgorithmIdentifier copied from inside it
// (the outer one is the same value) and the signature: the bytes
// CreateCertificate would have returned (TestCreateCertificateMatches).
//
// Before all that, the common leaf skips CreateCertificate altogether: its
// TBSCertificate is written by hand (fastCreateCertificate, tbs.go) and
// signed with the same call; templates outside that path go on as above.
func createCertificate(tmpl, parent *x509.Certificate, pub any, signer crypto.Signer) ([]byte, error) {
	if !inProcessKey(signer) {
		return x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
	}
	// The common leaf: TBSCertificate written directly (tbs.go).
	if der, ok := fastCreateCertificate(tmpl, parent, pub, signer); ok {
		return der, nil
	}
	c := &tbsCapture{key: signer}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, c)
	switch {
	case err == nil:
		// CreateCertificate did not sign through SignMessage but through
		// Sign (the real key's), and checked the result: that is the
		// certificate.
		return der, nil
	case !errors.Is(err, errCaptured):
		return nil, err
	case c.err != nil:
		return nil, c.err
	}
	der, ok := assembleCertificate(c.tbs, c.sig)
	if !ok { // not a TBSCertificate we can read: let CreateCertificate decide
		return x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
	}
	return der, nil
}

// inProcessKey reports whether the standard library signs with k in this
// process (see createCertificate).
func inProcessKey(k crypto.Signer) bool {
	switch k.(type) {
	case *ecdsa.PrivateKey, ed25519.PrivateKey, *rsa.PrivateKey:
		return true
	}
	return false
}

// errCaptured stops x509.CreateCertificate once tbsCapture has signed.
var errCaptured = errors.New("authority: TBSCertificate captured")

// tbsCapture is the crypto.MessageSigner createCertificate passes to
// x509.CreateCertificate. It is used for one call only.
type tbsCapture struct {
	key      crypto.Signer
	tbs, sig []byte
	err      error // the real key's signing error, if any
}

func (c *tbsCapture) Public() crypto.PublicKey { return c.key.Public() }

// Sign is never reached while CreateCertificate prefers SignMessage; should
// it be, it signs the digest like the key itself.
func (c *tbsCapture) Sign(r io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	return c.key.Sign(r, digest, opts)
}

// SignMessage signs the TBSCertificate as CreateCertificate's own call to
// crypto.SignMessage with the real key would, keeps it, and returns
// errCaptured so that CreateCertificate stops before its check.
func (c *tbsCapture) SignMessage(r io.Reader, msg []byte, opts crypto.SignerOpts) ([]byte, error) {
	c.tbs = append([]byte(nil), msg...)
	c.sig, c.err = crypto.SignMessage(c.key, r, msg, opts)
	return nil, errCaptured
}

// assembleCertificate builds Certificate ::= SEQUENCE { tbsCertificate,
// signatureAlgorithm, signatureValue BIT STRING } (RFC 5280 §4.1). The
// signatureAlgorithm is the one inside the TBSCertificate, byte for byte, as
// RFC 5280 requires and as CreateCertificate writes it.
func assembleCertificate(tbs, sig []byte) ([]byte, bool) {
	alg, ok := tbsSignatureAlgorithm(tbs)
	if !ok || len(sig) == 0 {
		return nil, false
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(tbs)
		b.AddBytes(alg)
		b.AddASN1BitString(sig)
	})
	der, err := b.Bytes()
	return der, err == nil
}

// tbsSignatureAlgorithm returns the DER of the TBSCertificate's signature
// AlgorithmIdentifier: SEQUENCE { [0] EXPLICIT version OPTIONAL, serial
// INTEGER, signature AlgorithmIdentifier, … }.
func tbsSignatureAlgorithm(tbs []byte) ([]byte, bool) {
	in := cryptobyte.String(tbs)
	var body cryptobyte.String
	if !in.ReadASN1(&body, cbasn1.SEQUENCE) || !in.Empty() {
		return nil, false
	}
	if !body.SkipOptionalASN1(cbasn1.Tag(0).Constructed().ContextSpecific()) || !body.SkipASN1(cbasn1.INTEGER) {
		return nil, false
	}
	var alg cryptobyte.String
	if !body.ReadASN1Element(&alg, cbasn1.SEQUENCE) {
		return nil, false
	}
	return alg, true
}
