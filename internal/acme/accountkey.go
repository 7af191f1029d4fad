package acme

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"errors"
	"fmt"
	"math/big"

	"github.com/stride-pki/stride/internal/keys"
)

// MaxAccountRSABits caps RSA account keys: verifying with a huge modulus
// costs CPU before anything else is known about the request (Go caps TLS
// keys at 8192 bits for the same reason, CVE-2023-29409).
const MaxAccountRSABits = 8192

// accountRSAExponent is the only RSA public exponent accepted for account
// keys: certbot, lego and step all generate 65537, and boulder accepts
// nothing else, so refusing the rest costs no client and rules out the
// small-exponent attacks (security.md §2.2, BR 6.1.6).
const accountRSAExponent = 65537

// CheckAccountKey applies the account-key policy of the JWS edge and of
// key-change (RFC 8555 §6.2, §7.3.5) on top of the certificate-key rules
// of keys.CheckPublicKey: RSA between 2048 and 8192 bits with e = 65537,
// and no small-order Ed25519 key (such a key verifies signatures that
// anyone can forge, so it would not authenticate anybody).
func CheckAccountKey(pub crypto.PublicKey) error {
	if err := keys.CheckPublicKey(pub); err != nil {
		return err
	}
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if bits := k.N.BitLen(); bits > MaxAccountRSABits {
			return fmt.Errorf("RSA key size %d is too large: the maximum is %d bits", bits, MaxAccountRSABits)
		}
		if k.E != accountRSAExponent {
			return fmt.Errorf("RSA public exponent %d is not allowed: use 65537", k.E)
		}
	case ed25519.PublicKey:
		if ed25519SmallOrder(k) {
			return errors.New("the Ed25519 key is a small-order point")
		}
	}
	return nil
}

var (
	// ed25519P is the field prime 2^255 − 19.
	ed25519P = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 255), big.NewInt(19))
	// ed25519SmallOrderY are the y coordinates (mod p) of the eight points
	// of order dividing 8: 1 (identity), p−1 (order 2), 0 (the two points
	// of order 4) and ±y8 (the four points of order 8). The order-8 value
	// is the well-known constant the RFC 8032 implementations (libsodium's
	// blocklist among them) carry; TestEd25519SmallOrderTable recomputes
	// the order of every point from the curve equation.
	ed25519SmallOrderY = func() []*big.Int {
		y8, _ := new(big.Int).SetString("2707385501144840649318225287225658788936804267575313519463743609750303402022", 10)
		return []*big.Int{big.NewInt(0), big.NewInt(1), new(big.Int).Sub(ed25519P, big.NewInt(1)),
			y8, new(big.Int).Sub(ed25519P, y8)}
	}()
)

// ed25519SmallOrder reports whether k encodes a point of small order. It
// compares y reduced mod p and ignores the x sign bit, so the
// non-canonical encodings that Go's decoder accepts (y ≥ p, a sign bit on
// x = 0) are caught as well.
func ed25519SmallOrder(k ed25519.PublicKey) bool {
	le := make([]byte, len(k))
	for i, b := range k {
		le[len(k)-1-i] = b // little-endian to big-endian
	}
	le[0] &= 0x7f // the sign of x
	y := new(big.Int).SetBytes(le)
	y.Mod(y, ed25519P)
	for _, s := range ed25519SmallOrderY {
		if y.Cmp(s) == 0 {
			return true
		}
	}
	return false
}
