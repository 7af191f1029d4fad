package provisioner

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"math/big"
	mrand "math/rand"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	gojose "github.com/go-jose/go-jose/v4"

	"github.com/stride-pki/stride/internal/p256verify"
)

// diffKey is one key the differential tests sign with, and what it may use.
type diffKey struct {
	priv crypto.Signer
	pub  crypto.PublicKey
	algs []gojose.SignatureAlgorithm
	p256 *p256verify.Key // the P-256 keys, as the JWK provisioner holds them
}

var (
	diffOnce sync.Once
	diffKeys []diffKey
)

// differentialKeys covers every algorithm family verifyDirect implements;
// two P-256 keys let a token be signed by the wrong key of the right type.
// The P-256 keys verify through p256verify, tables built (warmP256), as a
// busy JWK provisioner's key does; the other P-256 key is also verified
// without p256verify (diffVerify).
func differentialKeys(t testing.TB) []diffKey {
	diffOnce.Do(func() {
		var signers []crypto.Signer
		for _, c := range []elliptic.Curve{elliptic.P256(), elliptic.P256(), elliptic.P384(), elliptic.P521()} {
			k, _ := ecdsa.GenerateKey(c, rand.Reader)
			signers = append(signers, k)
		}
		rk, _ := rsa.GenerateKey(rand.Reader, 2048)
		_, ek, _ := ed25519.GenerateKey(rand.Reader)
		signers = append(signers, rk, ek)
		for _, s := range signers {
			algs, err := keyAlgorithms(s.Public())
			if err != nil {
				panic(err)
			}
			k := diffKey{priv: s, pub: s.Public(), algs: algs}
			if ec, ok := k.pub.(*ecdsa.PublicKey); ok {
				k.p256 = p256verify.New(ec)
			}
			diffKeys = append(diffKeys, k)
		}
	})
	warmP256(t, diffKeys[0])
	return diffKeys
}

// warmP256 verifies good ES256 signatures with k until its p256verify
// table is in use, as a provisioner's key is after a few dozen tokens.
func warmP256(t testing.TB, k diffKey) {
	if k.p256.Precomputed() {
		return
	}
	ec := k.priv.(*ecdsa.PrivateKey)
	digest := hashOf(crypto.SHA256, []byte("warm"))
	r, s, err := ecdsa.Sign(rand.Reader, ec, digest)
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); !k.p256.Precomputed(); {
		if time.Now().After(deadline) {
			t.Fatal("the P-256 key's p256verify table was not built")
		}
		for i := 0; i < 40; i++ {
			if !k.p256.Verify(digest, r.Bytes(), s.Bytes()) {
				t.Fatal("a good signature does not verify")
			}
		}
		runtime.GC() // frees the slots of other tests' collected keys
		time.Sleep(5 * time.Millisecond)
	}
}

// signRaw signs exactly hdr and payload (no re-encoding), so that tests
// control every byte of the header JSON.
func signRaw(t testing.TB, alg string, key crypto.Signer, hdr, payload []byte) string {
	enc := base64.RawURLEncoding
	input := enc.EncodeToString(hdr) + "." + enc.EncodeToString(payload)
	var sig []byte
	var err error
	switch k := key.(type) {
	case *ecdsa.PrivateKey:
		h, size := ecHashSize(k.Curve)
		var r, s *big.Int
		if r, s, err = ecdsa.Sign(rand.Reader, k, hashOf(h, []byte(input))); err == nil {
			sig = make([]byte, 2*size)
			r.FillBytes(sig[:size])
			s.FillBytes(sig[size:])
		}
	case *rsa.PrivateKey:
		h := map[byte]crypto.Hash{'2': crypto.SHA256, '3': crypto.SHA384, '5': crypto.SHA512}[alg[2]]
		if strings.HasPrefix(alg, "PS") {
			sig, err = rsa.SignPSS(rand.Reader, k, h, hashOf(h, []byte(input)), nil)
		} else {
			sig, err = rsa.SignPKCS1v15(rand.Reader, k, h, hashOf(h, []byte(input)))
		}
	case ed25519.PrivateKey:
		sig = ed25519.Sign(k, []byte(input))
	}
	if err != nil {
		t.Fatal(err)
	}
	return input + "." + enc.EncodeToString(sig)
}

func ecHashSize(c elliptic.Curve) (crypto.Hash, int) {
	switch c {
	case elliptic.P384():
		return crypto.SHA384, 48
	case elliptic.P521():
		return crypto.SHA512, 66
	}
	return crypto.SHA256, 32
}

// diffVerify holds verify (direct where the header allows it) to
// go-jose's answer for token under k: same acceptance, same error. It
// reports whether the direct path was taken.
func diffVerify(t testing.TB, k diffKey, token string) bool {
	pt, err := parseToken(token)
	if err != nil || !containsAlg(k.algs, pt.header.Alg) {
		return false // refused before either signature check
	}
	if pt.header.hasX5C {
		if _, err := parseChain(pt.header.X5C, "x5c"); err != nil {
			return false // the x5c provisioner refuses it before verify
		}
		pt.chainParsed = true
	}
	direct := pt.header.plain
	want := pt.verifyGoJose(k.pub, k.algs)
	for _, p256 := range []*p256verify.Key{k.p256, nil} {
		got := pt.verifyKey(k.pub, p256, k.algs)
		if (got == nil) != (want == nil) || (got != nil && got.Error() != want.Error()) {
			t.Fatalf("token %q (direct %v, p256verify %v): verify says %v, go-jose %v", token, direct, p256 != nil, got, want)
		}
		if p256 == nil {
			break
		}
	}
	return direct
}

// diffHeaders are header shapes around the plain/go-jose boundary; %s is alg.
var diffHeaders = []string{
	`{"alg":"%s"}`, `{"alg":"%s","kid":"k"}`, `{"alg":"%s","typ":"JWT"}`, `{"alg":"%s","typ":null}`,
	`{"alg":"%s","typ":1}`, `{"alg":"%s","typ":1e400}`, `{"alg":"%s","jwk":{}}`, `{"alg":"%s","jwk":"x"}`,
	`{"alg":"%s","x5c":["AAAA"]}`, `{"alg":"%s","x5c":null}`, `{"alg":"%s","x5cInsecure":["AAAA"]}`,
	`{"alg":"%s","x5cInsecure":null}`, `{"alg":"%s","nonce":5}`, `{"alg":"%s","kid":null}`,
	`{"alg":"%s","Kid":"x"}`, `{"alg":"%s","zip":"DEF"}`, ` {"alg" : "%s" } `, `{"alg":"%s","typ":"\u00e9"}`,
	`{"alg":"%s","typ":"JWT","x":[1,2,{"a":null}]}`, `{"alg":"%s","x5t":7}`, `{"alg":"%s","kid":"\ud800"}`,
}

// mutate applies one of the token changes whose handling could differ
// between a direct verifier and go-jose: a changed character, non-canonical
// base64, CR/LF, padding, and signature edits (high S, truncation).
func mutate(r *mrand.Rand, k diffKey, token string) string {
	parts := strings.Split(token, ".")
	i := r.Intn(3)
	seg := parts[i]
	const b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	switch r.Intn(8) {
	case 0:
		return token
	case 1:
		if seg != "" {
			j := r.Intn(len(seg))
			seg = seg[:j] + string(b64[r.Intn(64)]) + seg[j+1:]
		}
	case 2: // set the unused low bits of the last character
		if n := len(seg); n%4 != 0 {
			c := strings.IndexByte(b64, seg[n-1])
			seg = seg[:n-1] + string(b64[c|r.Intn(16)])
		}
	case 3:
		j := r.Intn(len(seg) + 1)
		seg = seg[:j] + []string{"\n", "\r", "\r\n"}[r.Intn(3)] + seg[j:]
	case 4:
		seg += "="
	case 5:
		seg = highS(k, seg)
	case 6: // truncate or extend the signature
		sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
		if r.Intn(2) == 0 && len(sig) > 0 {
			sig = sig[:len(sig)-1]
		} else {
			sig = append([]byte{0}, sig...)
		}
		i, seg = 2, base64.RawURLEncoding.EncodeToString(sig)
	case 7:
		return parts[0] + "." + parts[1] + "." + parts[2][:len(parts[2])/2]
	}
	parts[i] = seg
	return strings.Join(parts, ".")
}

// highS turns an ECDSA signature (r, s) into (r, n-s), which verifies too.
func highS(k diffKey, seg string) string {
	ec, ok := k.pub.(*ecdsa.PublicKey)
	sig, err := base64.RawURLEncoding.DecodeString(seg)
	if !ok || err != nil || len(sig)%2 != 0 {
		return seg
	}
	size := len(sig) / 2
	s := new(big.Int).SetBytes(sig[size:])
	s.Sub(ec.Curve.Params().N, s)
	if s.Sign() < 0 || s.BitLen() > 8*size {
		return seg
	}
	s.FillBytes(sig[size:])
	return base64.RawURLEncoding.EncodeToString(sig)
}

// diffToken signs a token for key k (or, now and then, the other P-256 key
// under k's algorithm) with one of diffHeaders.
func diffToken(t testing.TB, r *mrand.Rand, keys []diffKey, k diffKey) string {
	alg := string(k.algs[r.Intn(len(k.algs))])
	hdr := strings.Replace(diffHeaders[r.Intn(len(diffHeaders))], "%s", alg, 1)
	signer := k.priv
	if alg == "ES256" && r.Intn(8) == 0 {
		signer = keys[1].priv // same curve, wrong key
		if k.priv == keys[1].priv {
			signer = keys[0].priv
		}
	}
	payload := []string{`{"iss":"a","sub":"b","aud":"c","exp":1}`, `{}`, `{"sans":["x"],"n":1e5}`}[r.Intn(3)]
	return signRaw(t, alg, signer, []byte(hdr), []byte(payload))
}

func TestVerifyDifferential(t *testing.T) {
	keys := differentialKeys(t)
	r := mrand.New(mrand.NewSource(1))
	n, direct, accepted := 3000, 0, 0
	if testing.Short() {
		n = 300
	}
	for i := 0; i < n; i++ {
		k := keys[r.Intn(len(keys))]
		tok := mutate(r, k, diffToken(t, r, keys, k))
		if diffVerify(t, k, tok) {
			direct++
			if pt, err := parseToken(tok); err == nil && pt.verify(k.pub, k.algs) == nil {
				accepted++
			}
		}
	}
	t.Logf("direct path %d of %d tokens, %d accepted", direct, n, accepted)
	// The mix must exercise the direct path both ways, or it proves nothing.
	if direct < n/4 || accepted < n/20 || accepted == direct {
		t.Fatalf("direct path taken %d times, accepted %d, of %d", direct, accepted, n)
	}
}

// FuzzVerifyDifferential mutates valid tokens of every key type; the first
// byte picks the key to verify with.
func FuzzVerifyDifferential(f *testing.F) {
	keys := differentialKeys(f)
	r := mrand.New(mrand.NewSource(2))
	for i := 0; i < 40; i++ {
		ki := r.Intn(len(keys))
		f.Add(uint8(ki), diffToken(f, r, keys, keys[ki]))
	}
	f.Fuzz(func(t *testing.T, ki uint8, token string) {
		diffVerify(t, keys[int(ki)%len(keys)], token)
	})
}

// BenchmarkAuthorizeSign compares the one-parse Collection.AuthorizeSign
// with the two-step path (Lookup's peek, the strict parse, go-jose's parse
// and verify) on a step-like ES256 token. "collection" runs with the
// provisioner key's p256verify table built, as a busy CA does;
// "collection-std" without p256verify (crypto/ecdsa).
func BenchmarkAuthorizeSign(b *testing.B) {
	f := newFixture(b)
	tok := f.jwkToken(b, nil)
	ctx := context.Background()
	lp, err := f.coll.Lookup(tok)
	if err != nil {
		b.Fatal(err)
	}
	jp := lp.(*jwkProvisioner)
	for deadline := time.Now().Add(10 * time.Second); !jp.p256.Precomputed(); {
		if time.Now().After(deadline) {
			b.Fatal("the provisioner key's table was not built")
		}
		if _, err := f.coll.AuthorizeSign(ctx, tok); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("collection", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, err := f.coll.AuthorizeSign(ctx, tok); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("collection-std", func(b *testing.B) {
		fast := jp.p256
		jp.p256 = nil
		defer func() { jp.p256 = fast }()
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, err := f.coll.AuthorizeSign(ctx, tok); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("lookup+gojose", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			p, err := f.coll.Lookup(tok)
			if err != nil {
				b.Fatal(err)
			}
			t, err := parseToken(tok)
			if err != nil {
				b.Fatal(err)
			}
			if err := t.verifyGoJose(p.(*jwkProvisioner).pub, p.(*jwkProvisioner).algs); err != nil {
				b.Fatal(err)
			}
		}
	})
}
