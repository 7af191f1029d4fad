package provisioner

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"math/big"

	gojose "github.com/go-jose/go-jose/v4"

	"github.com/stride-pki/stride/internal/caerr"
	"github.com/stride-pki/stride/internal/p256verify"
)

// verifyDirect checks t's signature with the standard library alone, for the
// headers whose go-jose parse cannot fail once parseToken accepted them
// (tokenHeader.plain). It answers exactly as go-jose's ParseSignedCompact
// and Verify would for such a token (FuzzVerifyDifferential holds it to
// that), without go-jose's second base64 and JSON pass over the token. The
// caller has already matched the header's alg to the key. p256, when not
// nil, is pub prepared by p256verify: it verifies ES256, with the same
// answers as crypto/ecdsa.
func (t *parsedToken) verifyDirect(pub crypto.PublicKey, p256 *p256verify.Key) error {
	if p256 != nil && t.header.Alg == "ES256" {
		if !verifyES256(p256, t.signingInput(), t.sig) {
			return invalidTokenCrypto()
		}
		return nil
	}
	if !verifySignature(pub, t.header.Alg, t.signingInput(), t.sig) {
		return invalidTokenCrypto()
	}
	return nil
}

// signingInput is what go-jose verifies the signature over: the header and
// payload re-encoded canonically, not the token's own segments. Go's
// decoder ignores CR and LF and non-zero trailing bits, so two spellings of
// one segment decode alike; re-encoding keeps the answer identical to
// go-jose's for every such spelling.
func (t *parsedToken) signingInput() []byte {
	enc := base64.RawURLEncoding
	h, p := enc.EncodedLen(len(t.hdrJSON)), enc.EncodedLen(len(t.payload))
	buf := make([]byte, h+1+p)
	enc.Encode(buf, t.hdrJSON)
	buf[h] = '.'
	enc.Encode(buf[h+1:], t.payload)
	return buf
}

// verifySignature verifies sig over input for the JWS algorithm alg.
func verifySignature(pub crypto.PublicKey, alg string, input, sig []byte) bool {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		return verifyECDSA(k, alg, input, sig)
	case *rsa.PublicKey:
		return verifyRSA(k, alg, input, sig)
	case ed25519.PublicKey:
		// ed25519.Verify panics on a key of the wrong length; keys reach
		// here only from parsed JWKs and certificates, which are 32 bytes.
		return alg == "EdDSA" && len(k) == ed25519.PublicKeySize && ed25519.Verify(k, input, sig)
	}
	return false
}

// verifyECDSA takes the JWS form of an ECDSA signature, r and s as
// fixed-size big-endian halves (RFC 7518 §3.4), not ASN.1.
func verifyECDSA(k *ecdsa.PublicKey, alg string, input, sig []byte) bool {
	var h crypto.Hash
	var size int
	var curve elliptic.Curve
	switch alg {
	case "ES256":
		h, size, curve = crypto.SHA256, 32, elliptic.P256()
	case "ES384":
		h, size, curve = crypto.SHA384, 48, elliptic.P384()
	case "ES512":
		h, size, curve = crypto.SHA512, 66, elliptic.P521()
	default:
		return false
	}
	if k.Curve != curve || len(sig) != 2*size {
		return false
	}
	digest := hashOf(h, input)
	r := new(big.Int).SetBytes(sig[:size])
	s := new(big.Int).SetBytes(sig[size:])
	return ecdsa.Verify(k, digest, r, s)
}

// verifyES256 is verifyECDSA for ES256 with a p256verify.Key: r and s are
// the signature's 32-byte halves.
func verifyES256(k *p256verify.Key, input, sig []byte) bool {
	if len(sig) != 64 {
		return false
	}
	digest := sha256.Sum256(input)
	return k.Verify(digest[:], sig[:32], sig[32:])
}

func verifyRSA(k *rsa.PublicKey, alg string, input, sig []byte) bool {
	var h crypto.Hash
	switch alg {
	case "RS256", "PS256":
		h = crypto.SHA256
	case "RS384", "PS384":
		h = crypto.SHA384
	case "RS512", "PS512":
		h = crypto.SHA512
	default:
		return false
	}
	digest := hashOf(h, input)
	if alg[0] == 'R' {
		return rsa.VerifyPKCS1v15(k, h, digest, sig) == nil
	}
	// nil options: the salt length is read from the signature, as RFC 7518
	// §3.5 lets a signer choose it.
	return rsa.VerifyPSS(k, h, digest, sig, nil) == nil
}

func hashOf(h crypto.Hash, input []byte) []byte {
	w := h.New()
	w.Write(input)
	return w.Sum(nil)
}

// invalidTokenCrypto is the error the go-jose path gives for a signature
// that does not verify, cause included, so both paths answer alike.
func invalidTokenCrypto() error {
	return caerr.Wrap(caerr.Unauthorized, gojose.ErrCryptoFailure, "invalid token: the signature does not verify")
}
