package cryptocmd_test

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestJWEEncryptDecrypt(t *testing.T) {
	dir := t.TempDir()
	pw := writeFile(t, dir, "pw", "password\n")
	bad := writeFile(t, dir, "bad", "wrong\n")
	encPub, encPriv := filepath.Join(dir, "enc.pub.json"), filepath.Join(dir, "enc.json")
	mustRun(t, "", "jwk", "create", encPub, encPriv, "--use", "enc", "--password-file", pw)
	rsaPub, rsaPriv := filepath.Join(dir, "rsa.pub"), filepath.Join(dir, "rsa.key")
	mustRun(t, "", "keypair", rsaPub, rsaPriv, "--kty", "RSA", "--no-password", "--insecure")
	jwks := writeFile(t, dir, "set.json", `{"keys":[`+string(mustReadFile(t, encPub))+`]}`)
	kid := strings.TrimSpace(mustRun(t, string(mustReadFile(t, encPub)), "jwk", "thumbprint"))
	tests := []struct {
		name       string
		encArgs    []string
		decArgs    []string
		encErr     string
		decErr     string
		usageError bool
	}{
		{name: "JWK recipient", encArgs: []string{"--key", encPub}, decArgs: []string{"--key", encPriv, "--password-file", pw}},
		{name: "JWKS and kid", encArgs: []string{"--jwks", jwks, "--kid", kid, "--enc", "A128CBC-HS256"}, decArgs: []string{"--key", encPriv, "--password-file", pw}},
		{name: "PEM RSA recipient", encArgs: []string{"--key", rsaPub, "--alg", "RSA-OAEP"}, decArgs: []string{"--key", rsaPriv}},
		{name: "password", encArgs: []string{"--password-file", pw}, decArgs: []string{"--password-file", pw}},
		{name: "wrong password", encArgs: []string{"--password-file", pw}, decArgs: []string{"--password-file", bad}, decErr: "password does not decrypt"},
		{name: "wrong key password", encArgs: []string{"--key", encPub}, decArgs: []string{"--key", encPriv, "--password-file", bad}, decErr: "password does not decrypt"},
		{name: "jwks without kid", encArgs: []string{"--jwks", jwks}, encErr: "--jwks requires --kid", usageError: true},
		{name: "alg differs from the JWK's", encArgs: []string{"--key", encPub, "--alg", "ECDH-ES+A128KW"}, encErr: "--subtle", usageError: true},
		{name: "no password and no terminal", encArgs: nil, encErr: "--password-file", usageError: true},
		{name: "missing key file", encArgs: []string{"--key", filepath.Join(dir, "nope.json")}, encErr: filepath.Join(dir, "nope.json")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			jwe, _, err := run(t, "the message\n", append([]string{"jwe", "encrypt"}, tt.encArgs...)...)
			wantErr(t, err, tt.encErr, tt.usageError && tt.encErr != "")
			if tt.encErr != "" {
				return
			}
			plain, _, err := run(t, jwe, append([]string{"jwe", "decrypt"}, tt.decArgs...)...)
			wantErr(t, err, tt.decErr, false)
			if tt.decErr == "" && plain != "the message\n" {
				t.Fatalf("plaintext %q", plain)
			}
		})
	}
}
