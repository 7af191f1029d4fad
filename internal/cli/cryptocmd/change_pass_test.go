package cryptocmd_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stride-pki/stride/internal/jose"
	"github.com/stride-pki/stride/internal/pemutil"
)

// copyFile copies a test fixture into dir.
func copyFile(t *testing.T, src, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	return writeFile(t, dir, name, string(b))
}

func TestChangePass(t *testing.T) {
	dir := t.TempDir()
	pw := writeFile(t, dir, "pw", "password\n")
	pw2 := writeFile(t, dir, "pw2", "new-password\n")
	bad := writeFile(t, dir, "bad", "wrong\n")
	ours := filepath.Join(dir, "ours.key")
	mustRun(t, "", "keypair", filepath.Join(dir, "ours.pub"), ours, "--password-file", pw)
	mustRun(t, "", "jwk", "create", filepath.Join(dir, "jwk.pub.json"), filepath.Join(dir, "jwk.json"), "--password-file", pw)
	tests := []struct {
		name  string
		src   string // fixture copied to the key file
		args  []string
		jwk   bool // the output is a JWE-encrypted JWK
		plain bool // the output is unencrypted
		err   string
		usage bool
	}{
		{name: "our PKCS#8 key", src: ours, args: []string{"--password-file", pw, "--new-password-file", pw2, "--force"}},
		{name: "step's legacy Proc-Type key", src: "../../pemutil/testdata/step_ec.key", args: []string{"--password-file", pw, "--new-password-file", pw2, "-f"}},
		{name: "step's JWE JWK", src: "../../jose/testdata/step.jwe", args: []string{"--password-file", pw, "--new-password-file", pw2, "--force"}, jwk: true},
		{name: "our JWE JWK", src: filepath.Join(dir, "jwk.json"), args: []string{"--password-file", pw, "--new-password-file", pw2, "--force"}, jwk: true},
		{name: "remove the password", src: ours, args: []string{"--password-file", pw, "--no-password", "--insecure", "--force"}, plain: true},
		{name: "wrong password", src: ours, args: []string{"--password-file", bad, "--new-password-file", pw2, "--force"}, err: "password does not decrypt"},
		{name: "wrong JWE password", src: "../../jose/testdata/step.jwe", args: []string{"--password-file", bad, "--new-password-file", pw2, "--force"}, err: "password does not decrypt"},
		{name: "missing password file", src: ours, args: []string{"--password-file", filepath.Join(dir, "missing"), "--force"}, err: filepath.Join(dir, "missing")},
		{name: "in place without --force", src: ours, args: []string{"--password-file", pw, "--new-password-file", pw2}, err: "already exists"},
		{name: "no new password and no terminal", src: ours, args: []string{"--password-file", pw, "--force"}, err: "--new-password-file", usage: true},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			key := copyFile(t, tt.src, dir, "key"+string(rune('a'+i)))
			before, _ := os.ReadFile(key)
			_, _, err := run(t, "", append([]string{"change-pass", key}, tt.args...)...)
			wantErr(t, err, tt.err, tt.usage)
			after, _ := os.ReadFile(key)
			if tt.err != "" {
				if string(after) != string(before) {
					t.Fatal("the key file changed although the command failed")
				}
				return
			}
			checkChangedKey(t, after, tt.jwk, tt.plain)
		})
	}
	t.Run("--out leaves the original", func(t *testing.T) {
		out := filepath.Join(dir, "out.key")
		before, _ := os.ReadFile(ours)
		mustRun(t, "", "change-pass", ours, "--out", out, "--password-file", pw, "--new-password-file", pw2)
		if after, _ := os.ReadFile(ours); string(after) != string(before) {
			t.Fatal("the original changed")
		}
		b, _ := os.ReadFile(out)
		checkChangedKey(t, b, false, false)
	})
}

// checkChangedKey reads a rewritten key with the new password (or none).
func checkChangedKey(t *testing.T, data []byte, isJWK, plain bool) {
	t.Helper()
	switch {
	case isJWK:
		if _, err := jose.DecryptJWK(string(data), []byte("new-password")); err != nil {
			t.Fatalf("new password: %v", err)
		}
		if _, err := jose.DecryptJWK(string(data), []byte("password")); err == nil {
			t.Fatal("the old password still works")
		}
	case plain:
		if pemutil.IsEncrypted(data) {
			t.Fatal("still encrypted")
		}
		if _, err := pemutil.ParsePrivateKey(data, nil); err != nil {
			t.Fatal(err)
		}
	default:
		if !strings.HasPrefix(string(data), "-----BEGIN ENCRYPTED PRIVATE KEY-----") {
			t.Fatalf("not PKCS#8 encrypted:\n%s", data)
		}
		if _, err := pemutil.ParsePrivateKey(data, []byte("new-password")); err != nil {
			t.Fatalf("new password: %v", err)
		}
		if _, err := pemutil.ParsePrivateKey(data, []byte("password")); err == nil {
			t.Fatal("the old password still works")
		}
	}
}
