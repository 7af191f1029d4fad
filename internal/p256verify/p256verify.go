// Package p256verify verifies ECDSA P-256 signatures made by a key that
// signs many of them, such as a JWK provisioner's key, whose every one-time
// token the CA verifies.
//
// Why it exists: verifying an ES256 token was about 16 % of stride-ca's CPU
// on POST /sign, and 70 % of a verification is crypto/ecdsa's generic
// u2·Q, a variable-base scalar multiplication that starts from scratch for
// every signature although Q is the same for every token of a provisioner.
// A Key precomputes, once, multiples of Q for every 8-bit window of the
// scalar (table.go); u2·Q is then at most 33 point additions, and a
// verification costs about 40 % of crypto/ecdsa's (BenchmarkVerify: 35–46
// against 93–127 µs on the 2-core development machine). The field and group
// arithmetic is filippo.io/nistec, the exported copy of the standard
// library's own P-256 (assembly on amd64 and arm64); the mod-n arithmetic
// of the signature equation is math/big.
//
// Memory is bounded: a table is 384 KiB, so it is built only for a key
// that has verified threshold signatures, in the background, and for at
// most maxTables keys process-wide. Every other key (and every verification
// before its table is ready) takes crypto/ecdsa.Verify unchanged. Keys are
// shared by their public point: New returns the same Key for equal keys, so
// a SIGHUP reload that rebuilds the provisioners keeps the tables of the
// keys it kept. The registry holds Keys weakly: a Key nothing references
// any more (its provisioner was removed by a reload) is collected with its
// table, and its slot is freed for another key.
//
// In FIPS 140 mode (crypto/fips140.Enabled) no table is built: every
// verification stays in the standard library's validated module.
package p256verify

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/fips140"
	"math/big"
	"runtime"
	"sync"
	"sync/atomic"
	"weak"

	"filippo.io/nistec"
)

const (
	// threshold is how many signatures a key verifies through crypto/ecdsa
	// before its table is built: a key that verifies a handful of tokens
	// (one operator's occasional `step ca token`) never costs 384 KiB.
	threshold = 32
	// maxTables caps the tables alive at once: 8 × 384 KiB = 3 MiB at
	// most, well inside stride-ca's RSS budget, and more JWK provisioner
	// keys than a CA usually has busy at the same time.
	maxTables = 8
)

// pointLen is the length of an uncompressed P-256 point, 0x04 || X || Y.
const pointLen = 65

// Key is one P-256 public key prepared for repeated verification. It is
// safe for concurrent use.
type Key struct {
	pub *ecdsa.PublicKey // the standard library's path, until table is set
	q   *nistec.P256Point
	id  [pointLen]byte

	verified atomic.Int64 // signatures verified through crypto/ecdsa
	building atomic.Bool  // a goroutine claims a slot or builds the table
	table    atomic.Pointer[table]
	slot     *slot // outlives the Key, for its cleanup

	tableVerifies atomic.Uint64 // verifications that used the table (tests)
}

// slot records whether a Key holds one of the maxTables slots. It is a
// separate object because the Key's cleanup may not reference the Key.
type slot struct{ held atomic.Bool }

// registry maps a public point to its Key, weakly.
var registry struct {
	mu   sync.Mutex
	keys map[[pointLen]byte]weak.Pointer[Key]
}

// tables counts the slots held: tables built or being built.
var tables atomic.Int32

// New returns the Key for pub, the same Key for every equal public key
// while one is referenced, or nil when pub is not a valid P-256 key (then
// the caller verifies with crypto/ecdsa, as for any other curve).
func New(pub *ecdsa.PublicKey) *Key {
	if pub == nil || pub.Curve != elliptic.P256() {
		return nil
	}
	b, err := pub.Bytes() // fails for a point not on the curve
	if err != nil || len(b) != pointLen {
		return nil
	}
	q, err := nistec.NewP256Point().SetBytes(b)
	if err != nil {
		return nil
	}
	// The Key's own copy: the caller's PublicKey is not ours to keep.
	own, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), b)
	if err != nil {
		return nil
	}
	id := [pointLen]byte(b)

	registry.mu.Lock()
	defer registry.mu.Unlock()
	if wp, ok := registry.keys[id]; ok {
		if k := wp.Value(); k != nil {
			return k
		}
	}
	if registry.keys == nil {
		registry.keys = make(map[[pointLen]byte]weak.Pointer[Key])
	}
	k := &Key{pub: own, q: q, id: id, slot: new(slot)}
	wp := weak.Make(k)
	registry.keys[id] = wp
	runtime.AddCleanup(k, release, released{id: id, wp: wp, slot: k.slot})
	return k
}

// released is what a collected Key's cleanup needs, without the Key.
type released struct {
	id   [pointLen]byte
	wp   weak.Pointer[Key]
	slot *slot
}

// release forgets a collected Key and frees its slot. The map entry is
// removed only if it is still this Key's: New may have registered a new Key
// for the same point since.
func release(r released) {
	registry.mu.Lock()
	if registry.keys[r.id] == r.wp {
		delete(registry.keys, r.id)
	}
	registry.mu.Unlock()
	if r.slot.held.Load() {
		tables.Add(-1)
	}
}

// Verify reports whether (r, s) is a valid ECDSA signature of digest by k,
// answering exactly as crypto/ecdsa.Verify does. r and s are unsigned
// big-endian integers of any length (JWS gives 32 bytes each; leading
// zeros are fine). digest is the message's hash, truncated to the order's
// 256 bits when longer, as crypto/ecdsa does.
func (k *Key) Verify(digest, r, s []byte) bool {
	if t := k.table.Load(); t != nil {
		k.tableVerifies.Add(1)
		return verifyTable(t, digest, r, s)
	}
	ok := ecdsa.Verify(k.pub, digest, new(big.Int).SetBytes(r), new(big.Int).SetBytes(s))
	if ok {
		k.noteVerified()
	}
	return ok
}

// Precomputed reports whether k verifies with its table.
func (k *Key) Precomputed() bool { return k.table.Load() != nil }

// noteVerified counts a signature crypto/ecdsa accepted and, at the
// threshold, builds the table in the background if a slot is free. With
// every slot held, each later success tries again (one atomic load), so a
// key gets its table once another key's is released.
func (k *Key) noteVerified() {
	if k.verified.Add(1) < threshold || fips140.Enabled() {
		return
	}
	if !k.building.CompareAndSwap(false, true) {
		return // building, or built
	}
	if !claimSlot() {
		k.building.Store(false)
		return
	}
	k.slot.held.Store(true)
	go func() {
		k.table.Store(newTable(k.q))
		// building stays true: the table is never rebuilt.
	}()
}

// claimSlot takes one of the maxTables slots, if one is free.
func claimSlot() bool {
	for {
		n := tables.Load()
		if n >= maxTables {
			return false
		}
		if tables.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

// n is the order of the P-256 group.
var n = elliptic.P256().Params().N

// verifyTable is ECDSA verification as FIPS 186-5 §6.4.2 and SEC 1 §4.1.4
// give it, with u2·Q from the table. Everything here is public (the
// signature, the digest, the key), so variable-time math/big for the
// mod-n arithmetic and the table's data-dependent indexing leak nothing.
func verifyTable(t *table, digest, rb, sb []byte) bool {
	// r and s must be in [1, n-1].
	r := new(big.Int).SetBytes(rb)
	s := new(big.Int).SetBytes(sb)
	if r.Sign() == 0 || s.Sign() == 0 || r.Cmp(n) >= 0 || s.Cmp(n) >= 0 {
		return false
	}
	// e: the leftmost 256 bits of the digest (bits2int; the order is
	// exactly 256 bits, so whole bytes and no shift), as an integer. It is
	// reduced mod n with u1 below.
	if len(digest) > 32 {
		digest = digest[:32]
	}
	e := new(big.Int).SetBytes(digest)

	// w = s⁻¹, u1 = e·w, u2 = r·w (mod n). n is prime and 0 < s < n, so
	// the inverse exists.
	w := new(big.Int).ModInverse(s, n)
	u1 := new(big.Int).Mul(e, w)
	u1.Mod(u1, n)
	u2 := new(big.Int).Mul(r, w)
	u2.Mod(u2, n)

	var u1b, u2b [32]byte
	u1.FillBytes(u1b[:])
	u2.FillBytes(u2b[:])

	// R = u1·G + u2·Q.
	p, err := nistec.NewP256Point().ScalarBaseMult(u1b[:])
	if err != nil {
		return false
	}
	p.Add(p, t.mul(&u2b))
	// BytesX fails for the point at infinity: no signature.
	x, err := p.BytesX()
	if err != nil {
		return false
	}
	// Accept iff R.x mod n == r. R.x < p < 2n, so one subtraction reduces.
	v := new(big.Int).SetBytes(x)
	if v.Cmp(n) >= 0 {
		v.Sub(v, n)
	}
	return v.Cmp(r) == 0
}
