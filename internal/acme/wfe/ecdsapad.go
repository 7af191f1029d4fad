package wfe

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"

	gojose "github.com/go-jose/go-jose/v4"
)

// ecdsaHalf is the fixed length of r and of s in a JWS ECDSA signature
// (RFC 7518 §3.4): the curve order's byte length.
var ecdsaHalf = map[gojose.SignatureAlgorithm]int{gojose.ES256: 32, gojose.ES384: 48, gojose.ES512: 66}

// verifySignature verifies env's one signature with key and returns the
// payload. step-ca accepts ECDSA signatures that some clients send one or
// two bytes short, because they serialize r and s as minimal big-endian
// integers and so drop a leading zero byte (about 1 in 128 signatures);
// those clients work against step-ca, so they must work here. Only that
// exact defect is repaired: for ES256/384/512, a signature short by 1 or 2
// bytes is split every way that leaves each half at most 2 bytes short,
// each half is left-padded with zeros, and the padded signature must then
// verify. Any other length, and every other algorithm, is verified as sent.
func verifySignature(env *envelope, key crypto.PublicKey) ([]byte, error) {
	payload, err := env.sig.Verify(key)
	if err == nil {
		return payload, nil
	}
	half, ok := ecdsaHalf[env.alg]
	if _, isEC := key.(*ecdsa.PublicKey); !ok || !isEC {
		return nil, err
	}
	s := &env.sig.Signatures[0]
	sent := s.Signature
	short := 2*half - len(sent)
	if short < 1 || short > 2 {
		return nil, err
	}
	defer func() { s.Signature = sent }()
	for rLen := half - short; rLen <= half; rLen++ {
		s.Signature = padHalves(sent[:rLen], sent[rLen:], half)
		if payload, perr := env.sig.Verify(key); perr == nil {
			return payload, nil
		}
	}
	return nil, err
}

// padHalves is r‖s with each left-padded with zeros to n bytes; nil when
// either is longer than n.
func padHalves(r, s []byte, n int) []byte {
	if len(r) > n || len(s) > n {
		return nil
	}
	out := make([]byte, 0, 2*n)
	out = append(out, bytes.Repeat([]byte{0}, n-len(r))...)
	out = append(out, r...)
	out = append(out, bytes.Repeat([]byte{0}, n-len(s))...)
	return append(out, s...)
}
