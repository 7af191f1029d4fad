package cryptocmd_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestJWKCreate(t *testing.T) {
	dir := t.TempDir()
	pw := writeFile(t, dir, "pw", "password\n")
	pemKey := filepath.Join(dir, "from.key")
	mustRun(t, "", "keypair", filepath.Join(dir, "from.pub"), pemKey, "--password-file", pw)
	tests := []struct {
		name    string
		args    []string
		wantAlg string
		wantKid string
		wantUse string
		err     string
		usage   bool
	}{
		{name: "defaults", args: []string{"--password-file", pw}, wantAlg: "ES256", wantUse: "sig"},
		{name: "OKP", args: []string{"--kty", "OKP", "--password-file", pw}, wantAlg: "EdDSA", wantUse: "sig"},
		{name: "EC enc", args: []string{"--use", "enc", "--no-password", "--insecure"}, wantAlg: "ECDH-ES", wantUse: "enc"},
		{name: "RSA PS256 with kid", args: []string{"--kty", "RSA", "--alg", "PS256", "--kid", "mine", "--password-file", pw}, wantAlg: "PS256", wantKid: "mine", wantUse: "sig"},
		{name: "from PEM", args: []string{"--from-pem", pemKey, "--password-file", pw}, wantAlg: "ES256", wantUse: "sig"},
		{name: "bad use", args: []string{"--use", "wrap", "--password-file", pw}, err: "--use", usage: true},
		{name: "alg for another key type", args: []string{"--alg", "RS256", "--password-file", pw}, err: "does not fit", usage: true},
		{name: "OKP cannot encrypt", args: []string{"--kty", "OKP", "--use", "enc", "--password-file", pw}, err: "cannot be used", usage: true},
		{name: "RSA 1024", args: []string{"--kty", "RSA", "--size", "1024", "--password-file", pw}, err: "minimum is 2048", usage: true},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			pub := filepath.Join(dir, "k"+string(rune('a'+i))+".pub.json")
			priv := filepath.Join(dir, "k"+string(rune('a'+i))+".json")
			_, _, err := run(t, "", append([]string{"jwk", "create", pub, priv}, tt.args...)...)
			wantErr(t, err, tt.err, tt.usage)
			if tt.err != "" {
				return
			}
			var pj map[string]any
			b, _ := os.ReadFile(pub)
			if err := json.Unmarshal(b, &pj); err != nil {
				t.Fatal(err)
			}
			if pj["alg"] != tt.wantAlg || pj["use"] != tt.wantUse || pj["d"] != nil {
				t.Fatalf("public JWK %s", b)
			}
			tp := strings.TrimSpace(mustRun(t, string(b), "jwk", "thumbprint"))
			if want := tt.wantKid; want == "" && pj["kid"] != tp || want != "" && pj["kid"] != want {
				t.Fatalf("kid %v, thumbprint %s", pj["kid"], tp)
			}
			// The private file opens with the password and gives the same public key.
			privJSON := string(mustReadFile(t, priv))
			if strings.Contains(privJSON, `"ciphertext"`) {
				privJSON = mustRun(t, privJSON, "jwe", "decrypt", "--password-file", pw)
			}
			if got := mustRun(t, privJSON, "jwk", "public"); got != string(b) {
				t.Fatalf("public of private:\n%s\nwant\n%s", got, b)
			}
		})
	}
	t.Run("existing output without --force", func(t *testing.T) {
		pub := writeFile(t, dir, "exists.pub.json", "keep")
		_, _, err := run(t, "", "jwk", "create", pub, filepath.Join(dir, "new.json"), "--password-file", pw)
		wantErr(t, err, "already exists", false)
		if string(mustReadFile(t, pub)) != "keep" {
			t.Fatal("the existing file changed")
		}
	})
}

func TestJWKPublicAndThumbprint(t *testing.T) {
	stepPub := string(mustReadFile(t, "../../jose/testdata/step.pub.json"))
	var m map[string]any
	_ = json.Unmarshal([]byte(stepPub), &m)
	tests := []struct {
		name, cmd, stdin, want, err string
	}{
		{name: "thumbprint of step's key is its kid", cmd: "thumbprint", stdin: stepPub, want: m["kid"].(string) + "\n"},
		{name: "public of a public key", cmd: "public", stdin: stepPub, want: `"kid": "` + m["kid"].(string) + `"`},
		{name: "empty input", cmd: "thumbprint", stdin: " ", err: "no JWK on standard input"},
		{name: "not JSON", cmd: "public", stdin: "{nope", err: "not a JWK"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, _, err := run(t, tt.stdin, "jwk", tt.cmd)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || !strings.Contains(out, tt.want) {
				t.Fatalf("out %q err %v, want %q", out, err, tt.want)
			}
		})
	}
}

func mustReadFile(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
