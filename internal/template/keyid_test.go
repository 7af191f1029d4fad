package template

import (
	"bytes"
	"crypto"
	"crypto/dsa" //nolint:staticcheck // a key type MarshalPKIXPublicKey refuses
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"testing"
)

// csrKeys are CSRs for every key type a CSR can carry and Go can sign for.
func csrKeys(t testing.TB) map[string]*x509.CertificateRequest {
	t.Helper()
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]crypto.Signer{"RSA-2048": rsaKey, "Ed25519": edKey}
	for name, curve := range map[string]elliptic.Curve{"P-256": elliptic.P256(), "P-384": elliptic.P384(), "P-521": elliptic.P521()} {
		k, err := ecdsa.GenerateKey(curve, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		keys[name] = k
	}
	out := map[string]*x509.CertificateRequest{}
	for name, k := range keys {
		der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{}, k)
		if err != nil {
			t.Fatal(err)
		}
		csr, err := x509.ParseCertificateRequest(der)
		if err != nil {
			t.Fatal(err)
		}
		out[name] = csr
	}
	return out
}

// TestKeyIDFromSPKIMatchesKeyID: hashing the CSR's own SPKI bits gives the
// identifier the re-encoding KeyID gives, for every key type, and so the
// same certificate template.
func TestKeyIDFromSPKIMatchesKeyID(t *testing.T) {
	for name, csr := range csrKeys(t) {
		t.Run(name, func(t *testing.T) {
			want, err := KeyID(csr.PublicKey)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := spkiKeyBits(csr.RawSubjectPublicKeyInfo); !ok {
				t.Fatal("the fast path was not taken")
			}
			got, err := KeyIDFromSPKI(csr.PublicKey, csr.RawSubjectPublicKeyInfo)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("KeyIDFromSPKI = %x, %v; KeyID = %x", got, err, want)
			}
			c := &Certificate{Subject: Subject{CommonName: "leaf"}}
			old, err := c.X509(csr.PublicKey)
			if err != nil {
				t.Fatal(err)
			}
			fast, err := c.X509WithSPKI(csr.PublicKey, csr.RawSubjectPublicKeyInfo)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(old.SubjectKeyId, fast.SubjectKeyId) || len(fast.SubjectKeyId) != 20 {
				t.Fatalf("SubjectKeyId %x, want %x", fast.SubjectKeyId, old.SubjectKeyId)
			}
		})
	}
}

// TestKeyIDFromSPKIFallback: whenever the raw SPKI is missing, malformed or
// unusual, or the key is of a type KeyID refuses, the result (value or
// error) is KeyID's.
func TestKeyIDFromSPKIFallback(t *testing.T) {
	p256, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	good, err := x509.MarshalPKIXPublicKey(p256.Public())
	if err != nil {
		t.Fatal(err)
	}
	x, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	xDER, err := x509.MarshalPKIXPublicKey(x.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	other, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	otherDER, err := x509.MarshalPKIXPublicKey(other.Public())
	if err != nil {
		t.Fatal(err)
	}
	rsaTrailing, rsaTrailingPub := rsaSPKIWithTrailingBytes(t)
	dsaKey := &dsa.PublicKey{Parameters: dsa.Parameters{P: big.NewInt(23), Q: big.NewInt(11), G: big.NewInt(4)}, Y: big.NewInt(8)}
	tests := []struct {
		name   string
		pub    crypto.PublicKey
		raw    []byte
		useRaw bool // the result must come from raw (it is pub's encoding)
	}{
		{"nil raw", p256.Public(), nil, false},
		{"empty raw", p256.Public(), []byte{}, false},
		{"good", p256.Public(), good, true},
		{"X25519", x.PublicKey(), xDER, true},
		{"trailing data", p256.Public(), append(bytes.Clone(good), 0), false},
		{"truncated", p256.Public(), good[:len(good)-1], false},
		{"unused bits", p256.Public(), withUnusedBits(t, good, 1), false},
		{"not a sequence", p256.Public(), []byte{0x04, 0x00}, false},
		{"RSA key with bytes after it", rsaTrailingPub, rsaTrailing, false},
		{"unsupported key type", dsaKey, good, false},
		{"unsupported key type, no raw", dsaKey, nil, false},
		// A caller's contract is that raw encodes pub; if it does not,
		// raw wins (documented), which shows the fast path was used.
		{"raw is another key", p256.Public(), otherDER, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, gotErr := KeyIDFromSPKI(tc.pub, tc.raw)
			var want []byte
			var wantErr error
			if tc.useRaw {
				pub, err := x509.ParsePKIXPublicKey(tc.raw)
				if err != nil {
					t.Fatal(err)
				}
				want, wantErr = KeyID(pub)
			} else {
				want, wantErr = KeyID(tc.pub)
			}
			if !bytes.Equal(got, want) || (gotErr == nil) != (wantErr == nil) {
				t.Fatalf("got %x, %v; want %x, %v", got, gotErr, want, wantErr)
			}
			if gotErr != nil && gotErr.Error() != wantErr.Error() {
				t.Fatalf("error %q, want %q", gotErr, wantErr)
			}
		})
	}
}

// rsaSPKIWithTrailingBytes returns an RSA SubjectPublicKeyInfo whose
// BIT STRING holds the RSAPublicKey followed by a byte (x509 parses it and
// ignores the byte), and the key x509 parses from it.
func rsaSPKIWithTrailingBytes(t testing.TB) ([]byte, crypto.PublicKey) {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	var spki struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	der, err := x509.MarshalPKIXPublicKey(k.Public())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := asn1.Unmarshal(der, &spki); err != nil {
		t.Fatal(err)
	}
	bits := append(bytes.Clone(spki.PublicKey.Bytes), 0x05, 0x00)
	spki.PublicKey = asn1.BitString{Bytes: bits, BitLength: 8 * len(bits)}
	odd, err := asn1.Marshal(spki)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := x509.ParsePKIXPublicKey(odd)
	if err != nil {
		t.Fatalf("x509 no longer accepts trailing bytes after an RSA key (%v): the seed can go", err)
	}
	return odd, pub
}

// withUnusedBits returns der (a DER SPKI) with the BIT STRING's
// unused-bits octet set to n.
func withUnusedBits(t *testing.T, der []byte, n byte) []byte {
	t.Helper()
	out := bytes.Clone(der)
	// The BIT STRING is the last element: find its tag by its length.
	for i := len(out) - 3; i > 0; i-- {
		if out[i] == 0x03 && int(out[i+1]) == len(out)-i-2 && out[i+2] == 0 {
			out[i+2] = n
			return out
		}
	}
	t.Fatal("no BIT STRING found")
	return nil
}

// FuzzKeyIDFromSPKI: for any bytes that parse as a public key, the
// identifier from the raw bytes is the identifier of the parsed key; for
// anything else, nothing panics.
func FuzzKeyIDFromSPKI(f *testing.F) {
	for _, csr := range csrKeys(f) {
		f.Add(csr.RawSubjectPublicKeyInfo)
	}
	f.Add([]byte{0x30, 0x00})
	odd, _ := rsaSPKIWithTrailingBytes(f)
	f.Add(odd)
	f.Fuzz(func(t *testing.T, raw []byte) {
		pub, err := x509.ParsePKIXPublicKey(raw)
		if err != nil {
			spkiKeyBits(raw)
			return
		}
		want, wantErr := KeyID(pub)
		got, gotErr := KeyIDFromSPKI(pub, raw)
		if !bytes.Equal(got, want) || (gotErr == nil) != (wantErr == nil) {
			t.Fatalf("KeyIDFromSPKI = %x, %v; KeyID = %x, %v", got, gotErr, want, wantErr)
		}
	})
}

func BenchmarkKeyID(b *testing.B) {
	csr := csrKeys(b)["P-256"]
	b.Run("reencode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := KeyID(csr.PublicKey); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("rawSPKI", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := KeyIDFromSPKI(csr.PublicKey, csr.RawSubjectPublicKeyInfo); err != nil {
				b.Fatal(err)
			}
		}
	})
}
