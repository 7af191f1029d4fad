package p256verify

import "filippo.io/nistec"

// table holds multiples of one point Q for a fixed-base multiplication
// with signed 8-bit windows: the scalar u = Σ dᵢ·2⁸ⁱ with every digit dᵢ in
// [-127, 128] (i < 32) and a final carry of 0 or 1 at 2²⁵⁶, so
//
//	u·Q = Σ dᵢ·(2⁸ⁱ·Q) [+ 2²⁵⁶·Q]
//
// and each nonzero digit is one addition of a table entry or of its
// negation. Signed digits halve the table (128 entries a window, not 255)
// for one more possible addition. w[i][j] = (j+1)·2⁸ⁱ·Q.
//
// Size: 32 × 128 points of 96 bytes (Jacobian X, Y, Z, four 64-bit limbs
// each) = 384 KiB, plus one point. Building it costs 32 × 126 additions and
// 64 doublings, 2–5 ms on the development machine, once per key.
//
// nistec's Add is complete (it handles equal points and the point at
// infinity), so no sum along the way needs special care.
type table struct {
	w   [32][128]nistec.P256Point
	top nistec.P256Point // 2²⁵⁶·Q, for the recoding's last carry
}

// newTable computes the table of q.
func newTable(q *nistec.P256Point) *table {
	t := new(table)
	base := nistec.NewP256Point().Set(q) // 2⁸ⁱ·Q
	for i := range t.w {
		w := &t.w[i]
		w[0].Set(base)
		w[1].Double(base)
		for j := 2; j < len(w); j++ {
			w[j].Add(&w[j-1], base)
		}
		// 2⁸⁽ⁱ⁺¹⁾·Q = 2·(128·2⁸ⁱ·Q)
		base.Double(&w[len(w)-1])
	}
	t.top.Set(base)
	return t
}

// mul returns u·Q for the 32-byte big-endian scalar u. The digits are
// public in verification (u2 comes from the signature and the key), so
// branching on them and indexing by them is fine; this is not for secrets.
func (t *table) mul(u *[32]byte) *nistec.P256Point {
	acc := nistec.NewP256Point() // the point at infinity
	var neg nistec.P256Point
	carry := 0
	for i := range t.w {
		d := int(u[31-i]) + carry // the i-th byte from the right, in [0, 256]
		carry = 0
		if d > 128 {
			d -= 256 // now in [-127, 0]; 256 is borrowed from the next window
			carry = 1
		}
		switch {
		case d > 0:
			acc.Add(acc, &t.w[i][d-1])
		case d < 0:
			acc.Add(acc, neg.Negate(&t.w[i][-d-1]))
		}
	}
	if carry != 0 {
		acc.Add(acc, &t.top)
	}
	return acc
}
