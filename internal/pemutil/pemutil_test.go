package pemutil

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestReadFixtureKeys(t *testing.T) {
	cases := []struct {
		file     string
		password string
		want     string // key type
	}{
		{"ec.key", "", "ecdsa"},
		{"ec_legacy_aes256.key", "password", "ecdsa"},
		{"ec_pkcs8_openssl.key", "password", "ecdsa"},
		{"rsa.key", "", "rsa"},
		{"rsa_legacy_des3.key", "password", "rsa"},
		{"ed.key", "", "ed25519"},
		{"step_ec.key", "password", "ecdsa"},
		{"step_ed.key", "password", "ed25519"},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			k, err := ReadPrivateKey(filepath.Join("testdata", tc.file), []byte(tc.password))
			if err != nil {
				t.Fatal(err)
			}
			if got := keyType(k); got != tc.want {
				t.Fatalf("key type %s, want %s", got, tc.want)
			}
			if tc.password != "" {
				if _, err := ReadPrivateKey(filepath.Join("testdata", tc.file), []byte("wrong")); !errors.Is(err, ErrWrongPassword) {
					t.Fatalf("wrong password: got %v, want ErrWrongPassword", err)
				}
				if _, err := ReadPrivateKey(filepath.Join("testdata", tc.file), nil); !errors.Is(err, ErrPasswordRequired) {
					t.Fatalf("no password: got %v, want ErrPasswordRequired", err)
				}
			}
		})
	}
}

func keyType(k crypto.Signer) string {
	switch k.(type) {
	case *ecdsa.PrivateKey:
		return "ecdsa"
	case *rsa.PrivateKey:
		return "rsa"
	case ed25519.PrivateKey:
		return "ed25519"
	}
	return "?"
}

func TestEncryptRoundTrip(t *testing.T) {
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	rk, _ := rsa.GenerateKey(rand.Reader, 2048)
	for name, k := range map[string]crypto.Signer{"ec": ec, "ed25519": ed, "rsa": rk} {
		t.Run(name, func(t *testing.T) {
			b, err := EncodePrivateKey(k, []byte("s3cret"))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(b, []byte("-----BEGIN ENCRYPTED PRIVATE KEY-----")) || !IsEncrypted(b) {
				t.Fatalf("not a PKCS#8 encrypted key:\n%s", b)
			}
			got, err := ParsePrivateKey(b, []byte("s3cret"))
			if err != nil {
				t.Fatal(err)
			}
			if !got.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(k.Public()) {
				t.Fatal("decrypted key differs")
			}
			if _, err := ParsePrivateKey(b, []byte("other")); !errors.Is(err, ErrWrongPassword) {
				t.Fatalf("got %v, want ErrWrongPassword", err)
			}
			plain, err := EncodePrivateKey(k, nil)
			if err != nil || IsEncrypted(plain) {
				t.Fatalf("plain encoding: %v", err)
			}
		})
	}
}

func TestEncryptedParamsAreStrong(t *testing.T) {
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	b, err := EncryptPrivateKey(k, []byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	var info encryptedPrivateKeyInfo
	if _, err := asn1Unmarshal(b.Bytes, &info); err != nil {
		t.Fatal(err)
	}
	var params pbes2Params
	if _, err := asn1Unmarshal(info.Algorithm.Parameters.FullBytes, &params); err != nil {
		t.Fatal(err)
	}
	var kdf pbkdf2Params
	if _, err := asn1Unmarshal(params.KeyDerivationFunc.Parameters.FullBytes, &kdf); err != nil {
		t.Fatal(err)
	}
	if kdf.IterationCount < 600000 || !kdf.PRF.Algorithm.Equal(oidHMACWithSHA256) || len(kdf.Salt) < 16 {
		t.Fatalf("weak KDF parameters: %+v", kdf)
	}
	if !params.EncryptionScheme.Algorithm.Equal(oidAES256CBC) {
		t.Fatalf("cipher %v, want AES-256-CBC", params.EncryptionScheme.Algorithm)
	}
}

func TestBadInput(t *testing.T) {
	good, _ := os.ReadFile("testdata/ec.key")
	cases := map[string][]byte{
		"truncated":   good[:len(good)/2],
		"empty":       nil,
		"garbage":     []byte("hello"),
		"only header": []byte("-----BEGIN EC PRIVATE KEY-----\n"),
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := ParsePrivateKey(in, nil); err == nil {
				t.Fatal("parsed bad input")
			}
			if _, err := ParseCertificates(in); err == nil {
				t.Fatal("parsed bad input as certificates")
			}
			if _, err := ParseCSR(in); err == nil {
				t.Fatal("parsed bad input as CSR")
			}
		})
	}
}

func TestTruncatedBundleIsAnError(t *testing.T) {
	c := selfSigned(t)
	b := append(EncodeCertificates(c, c), []byte("-----BEGIN CERTIFICATE-----\nMIIB")...)
	if _, err := ParseCertificates(b); err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Fatalf("got %v, want a truncation error", err)
	}
	certs, err := ParseCertificates(EncodeCertificates(c, c))
	if err != nil || len(certs) != 2 {
		t.Fatalf("bundle: %d certs, %v", len(certs), err)
	}
	der, err := ParseCertificates(c.Raw)
	if err != nil || len(der) != 1 {
		t.Fatalf("DER: %v", err)
	}
}

func TestCSRSignatureChecked(t *testing.T) {
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "x"}}, k)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseCSR(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})); err != nil {
		t.Fatal(err)
	}
	bad := bytes.Clone(der)
	bad[len(bad)-3] ^= 0xff // inside the signature
	_, err = ParseCSR(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: bad}))
	if err == nil || !strings.Contains(err.Error(), "signature") {
		t.Fatalf("got %v, want a signature error", err)
	}
}

func TestParsePublicKey(t *testing.T) {
	c := selfSigned(t)
	pub, err := EncodePublicKey(c.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	for name, in := range map[string][]byte{"pem": pub, "cert": EncodeCertificates(c)} {
		k, err := ParsePublicKey(in)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !k.(*ecdsa.PublicKey).Equal(c.PublicKey) {
			t.Fatalf("%s: wrong key", name)
		}
	}
	if _, err := ParsePublicKey(mustRead(t, "testdata/step_ec.pub")); err != nil {
		t.Fatal(err)
	}
}

func mustRead(t *testing.T, p string) []byte {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func selfSigned(t testing.TB) *x509.Certificate {
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "t"},
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, k.Public(), k)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return c
}
