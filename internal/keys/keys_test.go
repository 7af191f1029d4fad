package keys

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"strings"
	"testing"
)

func TestGenerate(t *testing.T) {
	cases := []struct {
		kty, crv string
		size     int
		want     string
		err      string
	}{
		{"", "", 0, "EC P-256", ""},
		{"EC", "P-384", 0, "EC P-384", ""},
		{"ec", "P-521", 0, "EC P-521", ""},
		{"OKP", "Ed25519", 0, "OKP Ed25519", ""},
		{"OKP", "", 0, "OKP Ed25519", ""},
		{"RSA", "", 0, "RSA 2048", ""},
		{"RSA", "", 3072, "RSA 3072", ""},
		{"RSA", "", 1024, "", "too small"},
		{"RSA", "", 2049, "", "multiple of 8"},
		{"EC", "P-224", 0, "", "not supported"},
		{"OKP", "X25519", 0, "", "not supported"},
		{"DSA", "", 0, "", "not supported"},
	}
	for _, tc := range cases {
		t.Run(tc.kty+tc.crv+tc.want+tc.err, func(t *testing.T) {
			k, err := Generate(tc.kty, tc.crv, tc.size)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("got %v, want error containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := Describe(k.Public()); got != tc.want {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
			if err := CheckPublicKey(k.Public()); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestCheckPublicKeyRejects(t *testing.T) {
	k, _ := Generate("RSA", "", 2048)
	even := *k.Public().(*rsa.PublicKey)
	even.E = 65536
	if err := CheckPublicKey(&even); err == nil {
		t.Fatal("even exponent accepted")
	}
	if err := CheckPublicKey(ed25519.PublicKey{1, 2}); err == nil {
		t.Fatal("short Ed25519 key accepted")
	}
	if err := CheckPublicKey(&ecdsa.PublicKey{}); err == nil {
		t.Fatal("nil-curve key accepted")
	}
	if err := CheckPublicKey("x"); err == nil {
		t.Fatal("string accepted")
	}
}
