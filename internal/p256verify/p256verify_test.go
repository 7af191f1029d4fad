package p256verify

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"math/big"
	mrand "math/rand"
	"runtime"
	"sync"
	"testing"
	"time"

	"filippo.io/nistec"
)

// testKey is a key with its table built directly (no slot, no threshold),
// for the tests of the arithmetic.
type testKey struct {
	priv *ecdsa.PrivateKey
	tbl  *table
}

var (
	testKeysOnce sync.Once
	testKeysList []testKey
)

func testKeys(tb testing.TB) []testKey {
	testKeysOnce.Do(func() {
		for i := 0; i < 3; i++ {
			priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			if err != nil {
				panic(err)
			}
			b, _ := priv.PublicKey.Bytes()
			q, err := nistec.NewP256Point().SetBytes(b)
			if err != nil {
				panic(err)
			}
			testKeysList = append(testKeysList, testKey{priv: priv, tbl: newTable(q)})
		}
	})
	return testKeysList
}

// sig is one signature in JWS form (32-byte big-endian halves).
type sig struct{ r, s []byte }

func sign(tb testing.TB, priv *ecdsa.PrivateKey, digest []byte) sig {
	r, s, err := ecdsa.Sign(rand.Reader, priv, digest)
	if err != nil {
		tb.Fatal(err)
	}
	return sig{r.FillBytes(make([]byte, 32)), s.FillBytes(make([]byte, 32))}
}

func digestOf(msg string) []byte {
	d := sha256.Sum256([]byte(msg))
	return d[:]
}

// stdVerify is the reference: crypto/ecdsa.Verify on the same inputs.
func stdVerify(pub *ecdsa.PublicKey, digest, r, s []byte) bool {
	return ecdsa.Verify(pub, digest, new(big.Int).SetBytes(r), new(big.Int).SetBytes(s))
}

// diff holds verifyTable to crypto/ecdsa.Verify and returns the answer.
func diff(tb testing.TB, pub *ecdsa.PublicKey, tbl *table, digest, r, s []byte) bool {
	tb.Helper()
	want := stdVerify(pub, digest, r, s)
	if got := verifyTable(tbl, digest, r, s); got != want {
		tb.Fatalf("digest %x r %x s %x: table says %v, crypto/ecdsa %v", digest, r, s, got, want)
	}
	return want
}

func bytesOf(x *big.Int) []byte { return x.Bytes() }

// TestMul holds the table's u·Q to nistec's ScalarMult for edge and random
// scalars, including scalars at and above n (ScalarMult reduces them).
func TestMul(t *testing.T) {
	k := testKeys(t)[0]
	b, _ := k.priv.PublicKey.Bytes()
	q, _ := nistec.NewP256Point().SetBytes(b)
	nm1 := new(big.Int).Sub(n, big.NewInt(1))
	scalars := [][32]byte{{}, {31: 1}, {31: 128}, {31: 129}, {31: 255}, {0: 0x80}}
	for _, v := range []*big.Int{nm1, n, new(big.Int).Add(n, big.NewInt(5)), new(big.Int).Lsh(big.NewInt(1), 255)} {
		var s [32]byte
		v.FillBytes(s[:])
		scalars = append(scalars, s)
	}
	var ff, x80, x81, x7f [32]byte
	for i := range ff {
		ff[i], x80[i], x81[i], x7f[i] = 0xff, 0x80, 0x81, 0x7f
	}
	scalars = append(scalars, ff, x80, x81, x7f)
	r := mrand.New(mrand.NewSource(1))
	for i := 0; i < 50; i++ {
		var s [32]byte
		r.Read(s[:])
		scalars = append(scalars, s)
	}
	for _, s := range scalars {
		want, err := nistec.NewP256Point().ScalarMult(q, s[:])
		if err != nil {
			t.Fatal(err)
		}
		if got := k.tbl.mul(&s); !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Errorf("u = %x: table %x, ScalarMult %x", s, got.Bytes(), want.Bytes())
		}
	}
}

// TestVerifyCases: valid signatures and the adversarial ones, each with the
// answer written down and held to crypto/ecdsa too.
func TestVerifyCases(t *testing.T) {
	keys := testKeys(t)
	k, other := keys[0], keys[1]
	pub := &k.priv.PublicKey
	d := digestOf("token")
	good := sign(t, k.priv, d)
	r, s := new(big.Int).SetBytes(good.r), new(big.Int).SetBytes(good.s)
	zeros, ffs := make([]byte, 32), bytes.Repeat([]byte{0xff}, 32)
	n1 := new(big.Int).Add(n, big.NewInt(1))
	long := append(append([]byte{}, d...), bytes.Repeat([]byte{0xaa}, 32)...) // truncated to d

	cases := []struct {
		name         string
		digest, r, s []byte
		want         bool
	}{
		{"valid", d, good.r, good.s, true},
		{"high s", d, good.r, bytesOf(new(big.Int).Sub(n, s)), true},
		{"leading zeros", d, append([]byte{0, 0}, good.r...), append([]byte{0}, good.s...), true},
		{"long digest truncated", long, good.r, good.s, true},
		{"r = 0", d, nil, good.s, false},
		{"s = 0", d, good.r, zeros, false},
		{"r = n", d, n.Bytes(), good.s, false},
		{"s = n", d, good.r, n.Bytes(), false},
		{"r + n", d, bytesOf(new(big.Int).Add(r, n)), good.s, false},
		{"s + n", d, good.r, bytesOf(new(big.Int).Add(s, n)), false},
		{"r = n + 1", d, n1.Bytes(), good.s, false},
		{"r = 2^256 - 1", d, ffs, good.s, false},
		{"s = 2^256 - 1", d, good.r, ffs, false},
		{"r = 1", d, []byte{1}, good.s, false},
		{"r and s swapped", d, good.s, good.r, false},
		{"other digest", digestOf("other"), good.r, good.s, false},
		{"digest all zeros", zeros, good.r, good.s, false},
		{"digest all ff", ffs, good.r, good.s, false},
		{"empty digest", nil, good.r, good.s, false},
	}
	for _, zd := range [][]byte{zeros, ffs, nil, d[:31], d[:1]} {
		sg := sign(t, k.priv, zd)
		cases = append(cases, struct {
			name         string
			digest, r, s []byte
			want         bool
		}{"signed digest " + string(rune('a'+len(zd)%26)), zd, sg.r, sg.s, true})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := diff(t, pub, k.tbl, c.digest, c.r, c.s); got != c.want {
				t.Fatalf("verify = %v, want %v", got, c.want)
			}
			// The wrong key never verifies.
			if diff(t, &other.priv.PublicKey, other.tbl, c.digest, c.r, c.s) {
				t.Fatal("the other key verifies it")
			}
		})
	}
}

// TestRAtInfinity: a signature whose R = u1·G + u2·Q is the point at
// infinity (e = -r·d mod n) is rejected, not compared.
func TestRAtInfinity(t *testing.T) {
	k := testKeys(t)[0]
	r := big.NewInt(12345)
	s := big.NewInt(67890)
	e := new(big.Int).Mul(r, k.priv.D)
	e.Neg(e).Mod(e, n)
	digest := e.FillBytes(make([]byte, 32))
	if diff(t, &k.priv.PublicKey, k.tbl, digest, r.Bytes(), s.Bytes()) {
		t.Fatal("R at infinity verified")
	}
}

// TestXAboveN builds a key and a signature whose R has x ≥ n, so r =
// R.x - n: accepted, and r = R.x (≥ n) is not. A random signature reaches
// this with probability about 2⁻¹²⁸, so the key is made to fit: R is
// chosen first, then Q = u2⁻¹·(R - u1·G).
func TestXAboveN(t *testing.T) {
	p := elliptic.P256().Params().P
	var R *nistec.P256Point
	x := new(big.Int)
	for c := int64(1); ; c++ {
		x.Add(n, big.NewInt(c))
		if x.Cmp(p) >= 0 {
			t.Fatal("no point with x in [n, p)")
		}
		pt, err := nistec.NewP256Point().SetBytes(append([]byte{2}, x.FillBytes(make([]byte, 32))...))
		if err == nil {
			R = pt
			break
		}
	}
	r := new(big.Int).Sub(x, n)
	rnd := mrand.New(mrand.NewSource(3))
	for i := 0; i < 5; i++ {
		w := new(big.Int).Rand(rnd, n)
		e := new(big.Int).Rand(rnd, n)
		if w.Sign() == 0 {
			continue
		}
		s := new(big.Int).ModInverse(w, n)
		u1 := new(big.Int).Mul(e, w)
		u1.Mod(u1, n)
		u2 := new(big.Int).Mul(r, w)
		u2.Mod(u2, n)
		u2inv := new(big.Int).ModInverse(u2, n)

		g, _ := nistec.NewP256Point().ScalarBaseMult(u1.FillBytes(make([]byte, 32)))
		tp := nistec.NewP256Point().Add(R, g.Negate(g))
		q, err := nistec.NewP256Point().ScalarMult(tp, u2inv.FillBytes(make([]byte, 32)))
		if err != nil {
			t.Fatal(err)
		}
		pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), q.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		tbl := newTable(q)
		digest := e.FillBytes(make([]byte, 32))
		if !diff(t, pub, tbl, digest, r.Bytes(), s.Bytes()) {
			t.Fatal("the constructed signature (r = R.x - n) does not verify")
		}
		if diff(t, pub, tbl, digest, x.Bytes(), s.Bytes()) {
			t.Fatal("r = R.x ≥ n verified")
		}
		hs := new(big.Int).Sub(n, s) // -R has the same x
		if !diff(t, pub, tbl, digest, r.Bytes(), hs.Bytes()) {
			t.Fatal("high s of the constructed signature does not verify")
		}
	}
}

// TestVerifyRandom holds verifyTable to crypto/ecdsa for random keys and
// for valid, mutated and random signatures.
func TestVerifyRandom(t *testing.T) {
	rnd := mrand.New(mrand.NewSource(4))
	keys := testKeys(t)
	n, valid := 300, 0
	if testing.Short() {
		n = 60
	}
	for i := 0; i < n; i++ {
		k := keys[rnd.Intn(len(keys))]
		d := make([]byte, 32)
		rnd.Read(d)
		sg := sign(t, k.priv, d)
		digest, r, s := d, sg.r, sg.s
		switch rnd.Intn(6) {
		case 1:
			r = append([]byte{}, r...)
			r[rnd.Intn(32)] ^= 1 << rnd.Intn(8)
		case 2:
			s = append([]byte{}, s...)
			s[rnd.Intn(32)] ^= 1 << rnd.Intn(8)
		case 3:
			digest = append([]byte{}, d...)
			digest[rnd.Intn(32)] ^= 1 << rnd.Intn(8)
		case 4:
			r, s = make([]byte, 32), make([]byte, 32)
			rnd.Read(r)
			rnd.Read(s)
		}
		if diff(t, &k.priv.PublicKey, k.tbl, digest, r, s) {
			valid++
		}
	}
	if valid < n/4 {
		t.Fatalf("only %d of %d signatures verified: the mix proves little", valid, n)
	}
}

// FuzzVerify holds verifyTable to crypto/ecdsa.Verify. mode turns the
// input into an adversarial variant: high s, r or s plus n, r or s = n or
// 0, the other key.
func FuzzVerify(f *testing.F) {
	keys := testKeys(f)
	for i, k := range keys {
		for _, d := range [][]byte{digestOf("a"), make([]byte, 32), bytes.Repeat([]byte{0xff}, 32), digestOf("b")[:20]} {
			sg := sign(f, k.priv, d)
			for mode := uint8(0); mode < 9; mode++ {
				f.Add(uint8(i), d, sg.r, sg.s, mode)
			}
		}
	}
	f.Fuzz(func(t *testing.T, ki uint8, digest, r, s []byte, mode uint8) {
		if len(r) > 80 || len(s) > 80 {
			return
		}
		k := keys[int(ki)%len(keys)]
		rb, sb := new(big.Int).SetBytes(r), new(big.Int).SetBytes(s)
		switch mode % 9 {
		case 1:
			sb.Sub(n, sb)
			if sb.Sign() < 0 {
				sb.Neg(sb)
			}
		case 2:
			rb.Add(rb, n)
		case 3:
			sb.Add(sb, n)
		case 4:
			rb.Set(n)
		case 5:
			sb.Set(n)
		case 6:
			rb.SetInt64(0)
		case 7:
			sb.SetInt64(0)
		case 8:
			k = keys[(int(ki)+1)%len(keys)]
		}
		diff(t, &k.priv.PublicKey, k.tbl, digest, rb.Bytes(), sb.Bytes())
	})
}

func TestNew(t *testing.T) {
	priv, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	k := New(&priv.PublicKey)
	if k == nil {
		t.Fatal("New(P-256 key) = nil")
	}
	same := &ecdsa.PublicKey{Curve: elliptic.P256(), X: new(big.Int).Set(priv.X), Y: new(big.Int).Set(priv.Y)}
	if New(same) != k {
		t.Fatal("an equal key got another Key")
	}
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	off := &ecdsa.PublicKey{Curve: elliptic.P256(), X: big.NewInt(1), Y: big.NewInt(2)}
	for name, pub := range map[string]*ecdsa.PublicKey{"nil": nil, "P-384": &p384.PublicKey, "off the curve": off} {
		if New(pub) != nil {
			t.Errorf("New(%s) is not nil", name)
		}
	}
	// Key.Verify answers as crypto/ecdsa before its table exists.
	d := digestOf("x")
	sg := sign(t, priv, d)
	if !k.Verify(d, sg.r, sg.s) || k.Verify(digestOf("y"), sg.r, sg.s) || k.Verify(d, n.Bytes(), sg.s) {
		t.Fatal("Key.Verify disagrees with crypto/ecdsa")
	}
}

// waitFor polls cond, collecting garbage (so dropped Keys free their
// slots), for up to 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		runtime.GC()
		time.Sleep(5 * time.Millisecond)
	}
}

// TestThresholdAndCap: a key gets its table after threshold good
// signatures (bad ones do not count), at most maxTables keys have one, the
// next key stays on crypto/ecdsa (and still verifies), and it gets a table
// once a key with one is collected.
func TestThresholdAndCap(t *testing.T) {
	waitFor(t, "other tests' tables to be released", func() bool { return tables.Load() == 0 })
	type entry struct {
		k   *Key
		d   []byte
		sig sig
	}
	var es []*entry
	for i := 0; i < maxTables+1; i++ {
		priv, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		e := &entry{k: New(&priv.PublicKey), d: digestOf("t")}
		e.sig = sign(t, priv, e.d)
		for j := 0; j < 2*threshold; j++ { // rejected: not counted
			if e.k.Verify(e.d, e.sig.s, e.sig.r) {
				t.Fatal("a swapped signature verified")
			}
		}
		for j := 0; j < threshold-1; j++ {
			if !e.k.Verify(e.d, e.sig.r, e.sig.s) {
				t.Fatal("a good signature did not verify")
			}
		}
		if e.k.building.Load() {
			t.Fatalf("key %d: table started before %d signatures", i, threshold)
		}
		e.k.Verify(e.d, e.sig.r, e.sig.s)
		es = append(es, e)
	}
	for i, e := range es[:maxTables] {
		waitFor(t, "table "+string(rune('0'+i)), e.k.Precomputed)
	}
	last := es[maxTables]
	if last.k.Precomputed() || last.k.building.Load() || tables.Load() != maxTables {
		t.Fatalf("key %d: precomputed %v, building %v, %d tables; want the cap of %d to hold",
			maxTables+1, last.k.Precomputed(), last.k.building.Load(), tables.Load(), maxTables)
	}
	for _, e := range es {
		if !e.k.Verify(e.d, e.sig.r, e.sig.s) || e.k.Verify(e.d, e.sig.s, e.sig.r) {
			t.Fatal("wrong answer")
		}
	}
	for i, e := range es[:maxTables] {
		if e.k.tableVerifies.Load() != 2 {
			t.Errorf("key %d: %d verifications used the table, want 2", i, e.k.tableVerifies.Load())
		}
	}
	if last.k.tableVerifies.Load() != 0 {
		t.Error("the key beyond the cap used a table")
	}

	// Drop the first key: its slot comes back, and the next good signature
	// of the waiting key takes it.
	es[0] = nil
	waitFor(t, "the dropped key's slot", func() bool { return tables.Load() == maxTables-1 })
	last.k.Verify(last.d, last.sig.r, last.sig.s)
	waitFor(t, "the waiting key's table", last.k.Precomputed)
	if !last.k.Verify(last.d, last.sig.r, last.sig.s) || last.k.tableVerifies.Load() != 1 {
		t.Fatal("the waiting key does not verify with its table")
	}
	runtime.KeepAlive(es)
}

// TestReload: a provisioner rebuilt with the same key (New again while the
// old Key lives) shares its table; a key nothing references is forgotten.
func TestReload(t *testing.T) {
	waitFor(t, "a free slot", func() bool { return tables.Load() < maxTables })
	priv, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	k := New(&priv.PublicKey)
	d := digestOf("r")
	sg := sign(t, priv, d)
	for i := 0; i < threshold; i++ {
		k.Verify(d, sg.r, sg.s)
	}
	waitFor(t, "the table", k.Precomputed)
	pub := priv.PublicKey
	k2 := New(&pub)
	if k2 != k || !k2.Precomputed() {
		t.Fatal("the reloaded key does not share the table")
	}
	id := k.id
	k, k2 = nil, nil
	waitFor(t, "the dropped key to leave the registry", func() bool {
		registry.mu.Lock()
		defer registry.mu.Unlock()
		_, ok := registry.keys[id]
		return !ok
	})
	if k3 := New(&pub); k3.Precomputed() {
		t.Fatal("a new Key for a collected one has a table")
	}
}

// TestConcurrent verifies with one Key from many goroutines while its
// table is built and published (run it with -race).
func TestConcurrent(t *testing.T) {
	waitFor(t, "a free slot", func() bool { return tables.Load() < maxTables })
	priv, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	k := New(&priv.PublicKey)
	d := digestOf("c")
	sg := sign(t, priv, d)
	bad := sign(t, priv, digestOf("other"))
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 12; i++ {
				if !k.Verify(d, sg.r, sg.s) || k.Verify(d, bad.r, bad.s) {
					t.Error("wrong answer")
					return
				}
			}
		}()
	}
	wg.Wait()
	waitFor(t, "the table", k.Precomputed)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 4; i++ {
				if !k.Verify(d, sg.r, sg.s) || k.Verify(d, bad.r, bad.s) {
					t.Error("wrong answer with the table")
					return
				}
			}
		}()
	}
	wg.Wait()
	if k.tableVerifies.Load() == 0 {
		t.Fatal("the table was never used")
	}
}

// BenchmarkVerify: one ES256 verification through crypto/ecdsa (what
// provisioner.verifyECDSA did) and through the table, side by side; and
// what a table costs to build.
func BenchmarkVerify(b *testing.B) {
	k := testKeys(b)[0]
	d := digestOf("bench")
	sg := sign(b, k.priv, d)
	b.Run("std", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if !stdVerify(&k.priv.PublicKey, d, sg.r, sg.s) {
				b.Fatal("no")
			}
		}
	})
	b.Run("table", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if !verifyTable(k.tbl, d, sg.r, sg.s) {
				b.Fatal("no")
			}
		}
	})
	b.Run("build", func(b *testing.B) {
		bs, _ := k.priv.PublicKey.Bytes()
		q, _ := nistec.NewP256Point().SetBytes(bs)
		for b.Loop() {
			newTable(q)
		}
	})
}
