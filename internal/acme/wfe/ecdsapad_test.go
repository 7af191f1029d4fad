package wfe

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"testing"

	"github.com/stride-pki/stride/internal/acme"
)

// TestShortECDSASignatures: an ES256 signature whose r and/or s lost its
// leading zero byte (a client serializing minimal integers) is accepted
// once each half is left-padded, as step-ca does; a garbage signature of
// the same short length, or a valid one truncated at the end, is not.
func TestShortECDSASignatures(t *testing.T) {
	ts := newTestServer(t)
	c := newRawClient(t, ts)
	c.register()
	tests := []struct {
		name   string
		sig    func(input string) []byte
		status int
	}{
		{"r one byte short", func(in string) []byte { return minimalSig(t, c.key, in, true, false) }, http.StatusOK},
		{"s one byte short", func(in string) []byte { return minimalSig(t, c.key, in, false, true) }, http.StatusOK},
		{"r and s one byte short each", func(in string) []byte { return minimalSig(t, c.key, in, true, true) }, http.StatusOK},
		{"63 bytes of garbage", func(string) []byte { return randomBytes(63) }, http.StatusBadRequest},
		{"62 bytes of garbage", func(string) []byte { return randomBytes(62) }, http.StatusBadRequest},
		{"a valid signature without its last byte", func(in string) []byte {
			sig, _ := base64.RawURLEncoding.DecodeString(c.signature(in))
			return sig[:63]
		}, http.StatusBadRequest},
		{"r = s = 0 (CVE-2022-21449)", func(string) []byte { return make([]byte, 64) }, http.StatusBadRequest},
		{"r = s = 0, two bytes short", func(string) []byte { return make([]byte, 62) }, http.StatusBadRequest},
		{"ASN.1 DER instead of r‖s", func(in string) []byte {
			sum := sha256.Sum256([]byte(in))
			der, _ := ecdsa.SignASN1(rand.Reader, c.key, sum[:])
			return der
		}, http.StatusBadRequest},
		{"61 bytes (three short)", func(in string) []byte {
			sig := minimalSig(t, c.key, in, true, true)
			return sig[1:]
		}, http.StatusBadRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hb, _ := json.Marshal(c.header(c.kid))
			protected := base64.RawURLEncoding.EncodeToString(hb)
			sig := tc.sig(protected + ".")
			body := map[string]any{"protected": protected, "payload": "", "signature": base64.RawURLEncoding.EncodeToString(sig)}
			resp := c.send(c.kid, body, "application/jose+json")
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			if tc.status != http.StatusOK {
				if p := problemOf(t, resp); p.Type != acme.ProbMalformed {
					t.Fatalf("problem %s, want malformed", p.Type)
				}
			}
		})
	}
}

// minimalSig signs input until r (and/or s, or n−s, which is as valid)
// has a leading zero byte, and returns r‖s with exactly those zero bytes
// dropped, as a buggy client would send it.
func minimalSig(t *testing.T, key *ecdsa.PrivateKey, input string, shortR, shortS bool) []byte {
	t.Helper()
	sum := sha256.Sum256([]byte(input))
	n := key.Curve.Params().N
	limit := new(big.Int).Lsh(big.NewInt(1), 248) // 31 bytes or fewer
	fits := func(x *big.Int, short bool) bool { return (x.Cmp(limit) < 0) == short && x.Cmp(big.NewInt(1<<16)) > 0 }
	for range 1 << 20 {
		r, s, err := ecdsa.Sign(rand.Reader, key, sum[:])
		if err != nil {
			t.Fatal(err)
		}
		if !fits(s, shortS) {
			s = new(big.Int).Sub(n, s)
		}
		if fits(r, shortR) && fits(s, shortS) {
			return append(fixed(r, shortR), fixed(s, shortS)...)
		}
	}
	t.Fatal("no signature of the wanted shape")
	return nil
}

// fixed is x as 32 bytes, or 31 when short (x < 2^248 then).
func fixed(x *big.Int, short bool) []byte {
	b := make([]byte, 32)
	x.FillBytes(b)
	if short {
		return b[1:]
	}
	return b
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// TestMalleatedReplay: ECDSA signatures are malleable ((r, s) and
// (r, n−s) both verify), so a replay must be stopped by something other
// than the signature bytes: the nonce, which the first request used up
// (security.md §2.2, R-11 for ACME).
func TestMalleatedReplay(t *testing.T) {
	ts := newTestServer(t)
	c := newRawClient(t, ts)
	c.register()
	body := c.sign(c.header(c.kid), nil)
	if resp := c.send(c.kid, body, "application/jose+json"); resp.StatusCode != http.StatusOK {
		t.Fatalf("first request: %d", resp.StatusCode)
	}
	sig, _ := base64.RawURLEncoding.DecodeString(body["signature"].(string))
	s := new(big.Int).SetBytes(sig[32:])
	new(big.Int).Sub(c.key.Curve.Params().N, s).FillBytes(sig[32:])
	body["signature"] = base64.RawURLEncoding.EncodeToString(sig)
	resp := c.send(c.kid, body, "application/jose+json")
	if p := problemOf(t, resp); resp.StatusCode != http.StatusBadRequest || p.Type != acme.ProbBadNonce {
		t.Fatalf("replay with s → n−s: %d %s", resp.StatusCode, p.Type)
	}
}
