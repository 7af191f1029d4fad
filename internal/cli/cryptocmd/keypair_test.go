package cryptocmd_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"os"
	"path/filepath"
	"testing"

	"github.com/stride-pki/stride/internal/pemutil"
)

func TestKeypair(t *testing.T) {
	dir := t.TempDir()
	pw := writeFile(t, dir, "pw", "secret\n")
	existing := writeFile(t, dir, "existing.key", "keep me")
	tests := []struct {
		name      string
		args      []string
		wantType  any
		encrypted bool
		err       string
		usage     bool
	}{
		{name: "default EC P-256 encrypted", args: []string{"--password-file", pw}, wantType: &ecdsa.PublicKey{}, encrypted: true},
		{name: "OKP", args: []string{"--kty", "OKP", "--password-file", pw}, wantType: ed25519.PublicKey{}, encrypted: true},
		{name: "EC P-384 via --curve", args: []string{"--curve", "P-384", "--no-password", "--insecure"}, wantType: &ecdsa.PublicKey{}},
		{name: "RSA 1024 refused", args: []string{"--kty", "RSA", "--size", "1024", "--password-file", pw}, err: "minimum is 2048", usage: true},
		{name: "RSA 1024 with --insecure", args: []string{"--kty", "RSA", "--size", "1024", "--no-password", "--insecure"}, wantType: &rsa.PublicKey{}},
		{name: "unknown kty", args: []string{"--kty", "DSA", "--password-file", pw}, err: `"DSA"`, usage: true},
		{name: "no password without insecure", args: []string{"--no-password"}, err: "--no-password requires --insecure", usage: true},
		{name: "no terminal", args: nil, err: "use --password-file, or --no-password --insecure", usage: true},
		{name: "missing password file", args: []string{"--password-file", filepath.Join(dir, "nope")}, err: filepath.Join(dir, "nope"), usage: false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			pub := filepath.Join(dir, "k"+string(rune('a'+i))+".pub")
			priv := filepath.Join(dir, "k"+string(rune('a'+i))+".key")
			_, stderr, err := run(t, "", append([]string{"keypair", pub, priv}, tt.args...)...)
			wantErr(t, err, tt.err, tt.usage)
			if tt.err != "" {
				if _, serr := os.Stat(pub); serr == nil {
					t.Fatal("the public key was written although the command failed")
				}
				return
			}
			if stderr == "" {
				t.Fatal("no saved message on stderr")
			}
			checkKeypair(t, pub, priv, pw, tt.encrypted, tt.wantType)
		})
	}
	t.Run("existing output without --force", func(t *testing.T) {
		pub := filepath.Join(dir, "x.pub")
		_, _, err := run(t, "", "keypair", pub, existing, "--password-file", pw)
		wantErr(t, err, "already exists", false)
		if b, _ := os.ReadFile(existing); string(b) != "keep me" {
			t.Fatal("the existing file was changed")
		}
		if _, err := os.Stat(pub); err == nil {
			t.Fatal("the public key was written although the command failed")
		}
		mustRun(t, "", "keypair", pub, existing, "--password-file", pw, "--force")
		checkKeypair(t, pub, existing, pw, true, &ecdsa.PublicKey{})
	})
	t.Run("same file twice", func(t *testing.T) {
		p := filepath.Join(dir, "same")
		_, _, err := run(t, "", "keypair", p, p, "--password-file", pw)
		wantErr(t, err, "must differ", true)
	})
}

// checkKeypair reads both files back and checks that they hold one key pair.
func checkKeypair(t *testing.T, pubFile, privFile, pwFile string, encrypted bool, wantType any) {
	t.Helper()
	privPEM, _ := os.ReadFile(privFile)
	if pemutil.IsEncrypted(privPEM) != encrypted {
		t.Fatalf("encrypted = %v, want %v", !encrypted, encrypted)
	}
	if fi, _ := os.Stat(privFile); fi.Mode().Perm() != 0o600 {
		t.Fatalf("private key mode %v", fi.Mode().Perm())
	}
	pubPEM, _ := os.ReadFile(pubFile)
	pub, err := pemutil.ParsePublicKey(pubPEM)
	if err != nil {
		t.Fatal(err)
	}
	pw := []byte("secret")
	key, err := pemutil.ParsePrivateKey(privPEM, pw)
	if err != nil {
		t.Fatal(err)
	}
	if !key.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(pub) {
		t.Fatal("the public key does not match the private key")
	}
	if got, want := typeName(pub), typeName(wantType); got != want {
		t.Fatalf("key type %s, want %s", got, want)
	}
}

func typeName(v any) string {
	switch v.(type) {
	case *ecdsa.PublicKey:
		return "EC"
	case *rsa.PublicKey:
		return "RSA"
	case ed25519.PublicKey:
		return "OKP"
	}
	return "?"
}
