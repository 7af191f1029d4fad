package cryptocmd_test

import (
	"encoding/json"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestJWTSignVerify(t *testing.T) {
	dir := t.TempDir()
	pw := writeFile(t, dir, "pw", "password\n")
	bad := writeFile(t, dir, "bad", "wrong\n")
	jwkPub, jwkPriv := filepath.Join(dir, "k.pub.json"), filepath.Join(dir, "k.json")
	mustRun(t, "", "jwk", "create", jwkPub, jwkPriv, "--password-file", pw)
	pemPub, pemPriv := filepath.Join(dir, "k.pub"), filepath.Join(dir, "k.key")
	mustRun(t, "", "keypair", pemPub, pemPriv, "--kty", "OKP", "--password-file", pw)
	otherPub := filepath.Join(dir, "o.pub.json")
	mustRun(t, "", "jwk", "create", otherPub, filepath.Join(dir, "o.json"), "--no-password", "--insecure")
	exp := strconv.FormatInt(time.Now().Add(5*time.Minute).Unix(), 10)
	past := strconv.FormatInt(time.Now().Add(-time.Hour).Unix(), 10)
	claims := []string{"--iss", "joe", "--aud", "https://example.com", "--sub", "auth", "--exp", exp}
	tests := []struct {
		name      string
		stdin     string
		signArgs  []string
		verifyArg []string
		signErr   string
		verifyErr string
		usage     bool
	}{
		{name: "JWK", signArgs: append([]string{"--key", jwkPriv, "--password-file", pw}, claims...), verifyArg: []string{"--key", jwkPub, "--iss", "joe", "--aud", "https://example.com"}},
		{name: "PEM Ed25519 with --alg", signArgs: append([]string{"--key", pemPriv, "--password-file", pw}, claims...), verifyArg: []string{"--key", pemPub, "--alg", "EdDSA", "--subtle"}},
		{name: "stdin claims", stdin: `{"srv":"x","iss":"joe"}`, signArgs: []string{"--key", jwkPriv, "--password-file", pw, "--subtle"}, verifyArg: []string{"--key", jwkPub, "--iss", "joe", "--subtle"}},
		{name: "PEM key needs --alg", signArgs: append([]string{"--key", pemPriv, "--password-file", pw}, claims...), verifyArg: []string{"--key", pemPub, "--subtle"}, verifyErr: "--alg", usage: true},
		{name: "wrong audience", signArgs: append([]string{"--key", jwkPriv, "--password-file", pw}, claims...), verifyArg: []string{"--key", jwkPub, "--iss", "joe", "--aud", "other"}, verifyErr: "validation failed"},
		{name: "other key", signArgs: append([]string{"--key", jwkPriv, "--password-file", pw}, claims...), verifyArg: []string{"--key", otherPub, "--subtle", "--alg", "ES256", "--insecure"}, verifyErr: "kid"},
		{name: "expired", signArgs: []string{"--key", jwkPriv, "--password-file", pw, "--subtle", "--exp", past}, verifyArg: []string{"--key", jwkPub, "--subtle"}, verifyErr: "validation failed"},
		{name: "verify needs iss", signArgs: append([]string{"--key", jwkPriv, "--password-file", pw}, claims...), verifyArg: []string{"--key", jwkPub}, verifyErr: "'--iss' is required", usage: true},
		{name: "sign needs exp", signArgs: []string{"--key", jwkPriv, "--password-file", pw, "--iss", "a", "--aud", "b", "--sub", "c"}, signErr: "'--exp' is required", usage: true},
		{name: "wrong password", signArgs: append([]string{"--key", jwkPriv, "--password-file", bad}, claims...), signErr: "password does not decrypt"},
		{name: "missing password file", signArgs: append([]string{"--key", pemPriv, "--password-file", filepath.Join(dir, "nope")}, claims...), signErr: filepath.Join(dir, "nope")},
		{name: "alg differs from the JWK's", signArgs: append([]string{"--key", jwkPriv, "--password-file", pw, "--alg", "ES384"}, claims...), signErr: "--subtle", usage: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			token, _, err := run(t, tt.stdin, append([]string{"jwt", "sign"}, tt.signArgs...)...)
			wantErr(t, err, tt.signErr, tt.usage && tt.signErr != "")
			if tt.signErr != "" {
				return
			}
			out, _, err := run(t, token, append([]string{"jwt", "verify"}, tt.verifyArg...)...)
			wantErr(t, err, tt.verifyErr, tt.usage)
			if tt.verifyErr != "" {
				return
			}
			checkPrintedJWT(t, out, token)
			inspected := mustRun(t, token, "jwt", "inspect", "--insecure")
			if inspected != out {
				t.Fatalf("inspect and verify print differently:\n%s\n%s", inspected, out)
			}
		})
	}
}

// checkPrintedJWT checks the {"header","payload","signature"} step prints.
func checkPrintedJWT(t *testing.T, out, token string) {
	t.Helper()
	var v struct {
		Header    map[string]any `json:"header"`
		Payload   map[string]any `json:"payload"`
		Signature string         `json:"signature"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if v.Header["typ"] != "JWT" || v.Header["kid"] == nil || v.Payload["iat"] == nil || len(v.Payload["jti"].(string)) != 64 {
		t.Fatalf("printed JWT %s", out)
	}
	if !strings.HasSuffix(strings.TrimSpace(token), "."+v.Signature) {
		t.Fatal("signature does not match the token")
	}
}

func TestJWTInspect(t *testing.T) {
	tests := []struct {
		name, stdin string
		args        []string
		err         string
	}{
		{name: "needs --insecure", stdin: "a.b.c", err: "requires the '--insecure' flag"},
		{name: "not a JWT", stdin: "nope", args: []string{"--insecure"}, err: "three dot-separated parts"},
		{name: "empty", stdin: "", args: []string{"--insecure"}, err: "no JWT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := run(t, tt.stdin, append([]string{"jwt", "inspect"}, tt.args...)...)
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("error %v, want %q", err, tt.err)
			}
		})
	}
}
