package acme

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"math/big"
	"strings"
	"testing"
)

// TestCheckAccountKey: the account-key policy (security.md §2.2 "RSA size
// and exponent", "Ed25519 low-order"; §5 R-27).
func TestCheckAccountKey(t *testing.T) {
	rsa2048, _ := rsa.GenerateKey(rand.Reader, 2048)
	rsa1024, _ := rsa.GenerateKey(rand.Reader, 1024)
	rsa2047, _ := rsa.GenerateKey(rand.Reader, 2047)
	p224, _ := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	edPub, _, _ := ed25519.GenerateKey(rand.Reader)
	// Only the modulus length is looked at: a random odd 8200-bit number
	// stands in for a key that would take minutes to generate.
	n8200, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 8199))
	n8200.SetBit(n8200, 8199, 1).SetBit(n8200, 0, 1)
	n8192 := new(big.Int).Rsh(n8200, 8)
	withE := func(e int) *rsa.PublicKey { return &rsa.PublicKey{N: rsa2048.N, E: e} }

	tests := []struct {
		name string
		key  crypto.PublicKey
		want string // "" accepted, else a fragment of the error
	}{
		{"RSA 2048 e=65537", rsa2048.Public(), ""},
		{"RSA 8192 (the cap)", &rsa.PublicKey{N: n8192, E: 65537}, ""},
		{"P-256", p256.Public(), ""},
		{"Ed25519", edPub, ""},
		{"RSA 1024", rsa1024.Public(), "too small"},
		{"RSA 2047", rsa2047.Public(), "too small"},
		{"RSA 8200", &rsa.PublicKey{N: n8200, E: 65537}, "too large"},
		{"RSA e=3", withE(3), "exponent 3"},
		{"RSA e=65539 (odd, not 65537)", withE(65539), "exponent 65539"},
		{"RSA e=1", withE(1), "exponent 1"},
		{"P-224", p224.Public(), "not allowed"},
		{"Ed25519 identity", edKey("0100000000000000000000000000000000000000000000000000000000000000"), "small-order"},
		{"Ed25519 identity, x sign bit set", edKey("0100000000000000000000000000000000000000000000000000000000000080"), "small-order"},
		{"Ed25519 order 2 (y=p-1)", edKey("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"), "small-order"},
		{"Ed25519 order 4 (y=0)", edKey("0000000000000000000000000000000000000000000000000000000000000000"), "small-order"},
		{"Ed25519 order 4, y=p (non-canonical)", edKey("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"), "small-order"},
		{"Ed25519 identity, y=p+1 (non-canonical)", edKey("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"), "small-order"},
		{"Ed25519 order 8", edKey("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"), "small-order"},
		{"Ed25519 order 8, -y", edKey("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"), "small-order"},
		{"Ed25519 order 8, x sign bit", edKey("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85"), "small-order"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckAccountKey(tc.key)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("error %v, want one with %q", err, tc.want)
			}
		})
	}
}

func edKey(hexLE string) ed25519.PublicKey {
	b := make([]byte, 32)
	for i := range b {
		v, _ := new(big.Int).SetString(hexLE[2*i:2*i+2], 16)
		b[i] = byte(v.Int64())
	}
	return ed25519.PublicKey(b)
}

// TestEd25519SmallOrderTable recomputes, from the curve equation, that
// every y in the table is a point whose order divides 8, and that the
// base point's is not: the table is checked, not trusted.
func TestEd25519SmallOrderTable(t *testing.T) {
	p := ed25519P
	inv := func(x *big.Int) *big.Int { return new(big.Int).ModInverse(x, p) }
	mul := func(a, b *big.Int) *big.Int { return new(big.Int).Mod(new(big.Int).Mul(a, b), p) }
	add := func(a, b *big.Int) *big.Int { return new(big.Int).Mod(new(big.Int).Add(a, b), p) }
	sub := func(a, b *big.Int) *big.Int { return new(big.Int).Mod(new(big.Int).Sub(a, b), p) }
	d := mul(big.NewInt(-121665), inv(big.NewInt(121666)))
	d.Mod(d, p)
	// point addition on −x² + y² = 1 + d·x²·y² (RFC 8032 §5.1.4, affine).
	pointAdd := func(x1, y1, x2, y2 *big.Int) (*big.Int, *big.Int) {
		t := mul(d, mul(mul(x1, x2), mul(y1, y2)))
		x3 := mul(add(mul(x1, y2), mul(y1, x2)), inv(add(big.NewInt(1), t)))
		y3 := mul(add(mul(y1, y2), mul(x1, x2)), inv(sub(big.NewInt(1), t)))
		return x3, y3
	}
	times8IsIdentity := func(y *big.Int) bool {
		u := sub(mul(y, y), big.NewInt(1))
		v := add(mul(d, mul(y, y)), big.NewInt(1))
		x := new(big.Int).ModSqrt(mul(u, inv(v)), p)
		if x == nil {
			t.Fatalf("y=%v is not on the curve", y)
		}
		for range 3 {
			x, y = pointAdd(x, y, x, y)
		}
		return x.Sign() == 0 && y.Cmp(big.NewInt(1)) == 0
	}
	for _, y := range ed25519SmallOrderY {
		if !times8IsIdentity(y) {
			t.Errorf("y=%v: 8·P is not the identity", y)
		}
	}
	baseY := mul(big.NewInt(4), inv(big.NewInt(5)))
	if times8IsIdentity(baseY) {
		t.Error("the base point has small order: the arithmetic is wrong")
	}
	if len(ed25519SmallOrderY) != 5 {
		t.Errorf("%d y values; the 8 small-order points have 5", len(ed25519SmallOrderY))
	}
}
