package cacmd_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stride-pki/stride/internal/cli"
	"github.com/stride-pki/stride/internal/jose"
)

// fakeCA serves /provisioners and the encrypted keys of the given JWK
// provisioners (all encrypted with "pw"), and /root/<sha> for its own cert.
func fakeCA(t *testing.T, names ...string) (*httptest.Server, string) {
	t.Helper()
	var provs []map[string]any
	keysByKid := map[string]string{}
	for _, n := range names {
		k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		jwk, _ := jose.NewJWK(k)
		enc, err := jose.EncryptJWK(jwk, []byte("pw"))
		if err != nil {
			t.Fatal(err)
		}
		keysByKid[jwk.KeyID] = enc
		provs = append(provs, map[string]any{"type": "JWK", "name": n, "key": jose.Public(jwk)})
	}
	var srv *httptest.Server
	srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/provisioners":
			json.NewEncoder(w).Encode(map[string]any{"provisioners": provs, "nextCursor": ""})
		case strings.HasSuffix(r.URL.Path, "/encrypted-key"):
			kid := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/provisioners/"), "/encrypted-key")
			json.NewEncoder(w).Encode(map[string]any{"key": keysByKid[kid]})
		case strings.HasPrefix(r.URL.Path, "/root/"):
			sum := sha256.Sum256(srv.Certificate().Raw)
			if r.URL.Path != "/root/"+hex.EncodeToString(sum[:]) {
				w.WriteHeader(404)
				w.Write([]byte(`{"status":404,"message":"The requested resource could not be found."}`))
				return
			}
			json.NewEncoder(w).Encode(map[string]any{"ca": string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}))})
		default:
			w.WriteHeader(404)
		}
	}))
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	root := filepath.Join(dir, "root.crt")
	os.WriteFile(root, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600)
	return srv, root
}

func run(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	t.Setenv("STRIDEPATH", filepath.Join(t.TempDir(), "sp"))
	var out, errb bytes.Buffer
	code := cli.Main(context.Background(), args, strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), code
}

func TestTokenCommand(t *testing.T) {
	dir := t.TempDir()
	pw := filepath.Join(dir, "pw")
	os.WriteFile(pw, []byte("pw\n"), 0o600)
	bad := filepath.Join(dir, "bad")
	os.WriteFile(bad, []byte("nope\n"), 0o600)
	tests := []struct {
		name     string
		provs    []string
		args     []string
		code     int
		wantErr  string
		wantAud  string
		wantSANs int
	}{
		{"single provisioner", []string{"admin"}, []string{"foo", "--password-file", pw}, 0, "", "/1.0/sign", 1},
		{"sans", []string{"admin"}, []string{"foo", "--password-file", pw, "--san", "a", "--san", "10.0.0.1"}, 0, "", "/1.0/sign", 2},
		{"revoke", []string{"admin"}, []string{"123", "--revoke", "--password-file", pw}, 0, "", "/1.0/revoke", 0},
		{"choose by name", []string{"a", "b"}, []string{"foo", "--provisioner", "b", "--password-file", pw}, 0, "", "/1.0/sign", 1},
		{"several without terminal", []string{"a", "b"}, []string{"foo", "--password-file", pw}, 2, "pass --provisioner", "", 0},
		{"unknown provisioner", []string{"a"}, []string{"foo", "--provisioner", "zz", "--password-file", pw}, 2, "choose one of: a", "", 0},
		{"wrong password", []string{"a"}, []string{"foo", "--password-file", bad}, 1, "password is wrong", "", 0},
		{"ssh", []string{"a"}, []string{"foo", "--ssh", "--password-file", pw}, 0, "", "/1.0/ssh/sign", 0},
		{"ssh with san", []string{"a"}, []string{"foo", "--ssh", "--san", "x", "--password-file", pw}, 2, "--principal", "", 0},
		{"ssh revoke", []string{"a"}, []string{"123", "--ssh", "--revoke", "--password-file", pw}, 0, "", "/1.0/ssh/revoke", 0},
		{"ssh renew", []string{"a"}, []string{"foo", "--ssh", "--renew", "--password-file", pw}, 0, "", "/1.0/ssh/renew", 0},
		{"ssh rekey", []string{"a"}, []string{"foo", "--ssh", "--rekey", "-n", "x", "--password-file", pw}, 0, "ignored", "/1.0/ssh/rekey", 0},
		{"x509 renew without x5c", []string{"a"}, []string{"foo", "--renew", "--password-file", pw}, 2, "--x5c-cert", "", 0},
		{"ssh revoke and rekey", []string{"a"}, []string{"foo", "--ssh", "--revoke", "--rekey", "--password-file", pw}, 2, "exclude each other", "", 0},
		{"principal without ssh", []string{"a"}, []string{"foo", "-n", "x", "--password-file", pw}, 2, "need --ssh", "", 0},
		{"bad cert time", []string{"a"}, []string{"foo", "--ssh", "--cert-not-after", "soon", "--password-file", pw}, 2, "cert-not-after", "", 0},
		{"token too long", []string{"a"}, []string{"foo", "--not-after", "2h", "--password-file", pw}, 1, "1 hour", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, root := fakeCA(t, tt.provs...)
			args := append([]string{"ca", "token", "--ca-url", srv.URL, "--root", root}, tt.args...)
			out, errOut, code := run(t, args...)
			if code != tt.code || !strings.Contains(errOut, tt.wantErr) {
				t.Fatalf("exit %d (want %d), stderr %q (want %q)", code, tt.code, errOut, tt.wantErr)
			}
			if code != 0 {
				return
			}
			_, payload, _, err := jose.InspectJWT(strings.TrimSpace(out))
			if err != nil {
				t.Fatal(err)
			}
			var c struct {
				Aud  string   `json:"aud"`
				SANs []string `json:"sans"`
			}
			json.Unmarshal(payload, &c)
			if c.Aud != srv.URL+tt.wantAud || len(c.SANs) != tt.wantSANs {
				t.Fatalf("claims %s", payload)
			}
		})
	}
}

// TestSSHTokenClaims checks the claim structure real `step ca token --ssh`
// mints (decoded from step v0.28 tokens): no sans, the step.ssh claim with
// keyID = SUBJECT, principals [] unless -n is given, certType user|host, and
// the certificate bounds as UTC RFC 3339 times or canonical durations.
func TestSSHTokenClaims(t *testing.T) {
	dir := t.TempDir()
	pw := filepath.Join(dir, "pw")
	os.WriteFile(pw, []byte("pw\n"), 0o600)
	type sshClaim struct {
		CertType    string   `json:"certType"`
		KeyID       string   `json:"keyID"`
		Principals  []string `json:"principals"`
		ValidAfter  string   `json:"validAfter"`
		ValidBefore string   `json:"validBefore"`
	}
	tests := []struct {
		name string
		args []string
		want sshClaim
	}{
		{"user defaults", nil, sshClaim{"user", "alice@example.com", []string{}, "", ""}},
		{"host principals", []string{"--host", "-n", "a.example", "--principal", "b.example"},
			sshClaim{"host", "alice@example.com", []string{"a.example", "b.example"}, "", ""}},
		{"cert bounds", []string{"--cert-not-before", "2030-01-02T05:04:05+02:00", "--cert-not-after", "90m"},
			sshClaim{"user", "alice@example.com", []string{}, "2030-01-02T03:04:05Z", "1h30m0s"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, root := fakeCA(t, "admin")
			args := append([]string{"ca", "token", "alice@example.com", "--ssh", "--ca-url", srv.URL, "--root", root, "--password-file", pw}, tt.args...)
			out, errOut, code := run(t, args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			_, payload, _, err := jose.InspectJWT(strings.TrimSpace(out))
			if err != nil {
				t.Fatal(err)
			}
			var raw map[string]json.RawMessage
			json.Unmarshal(payload, &raw)
			for _, k := range []string{"iss", "sub", "aud", "nbf", "iat", "exp", "jti", "sha", "step"} {
				if _, ok := raw[k]; !ok {
					t.Errorf("claim %q missing: %s", k, payload)
				}
			}
			for _, k := range []string{"sans", "user"} {
				if _, ok := raw[k]; ok {
					t.Errorf("claim %q should not be there: %s", k, payload)
				}
			}
			var c struct {
				Aud  string `json:"aud"`
				Sub  string `json:"sub"`
				Step map[string]json.RawMessage
			}
			json.Unmarshal(payload, &c)
			if c.Aud != srv.URL+"/1.0/ssh/sign" || c.Sub != "alice@example.com" || len(c.Step) != 1 {
				t.Fatalf("claims %s", payload)
			}
			var inner map[string]json.RawMessage
			json.Unmarshal(c.Step["ssh"], &inner)
			if len(inner) != 5 || string(inner["principals"]) == "null" {
				t.Fatalf("step.ssh %s: want exactly certType, keyID, principals (a list), validAfter, validBefore", c.Step["ssh"])
			}
			var got sshClaim
			json.Unmarshal(c.Step["ssh"], &got)
			if got.CertType != tt.want.CertType || got.KeyID != tt.want.KeyID || strings.Join(got.Principals, ",") != strings.Join(tt.want.Principals, ",") ||
				got.ValidAfter != tt.want.ValidAfter || got.ValidBefore != tt.want.ValidBefore {
				t.Fatalf("step.ssh %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestBootstrapCommand(t *testing.T) {
	srv, _ := fakeCA(t)
	sum := sha256.Sum256(srv.Certificate().Raw)
	tests := []struct {
		name string
		fp   string
		code int
	}{
		{"match", hex.EncodeToString(sum[:]), 0},
		{"unknown fingerprint", strings.Repeat("1", 64), 1},
		{"malformed", "xyz", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errOut, code := run(t, "ca", "bootstrap", "--ca-url", srv.URL, "--fingerprint", tt.fp)
			if code != tt.code {
				t.Fatalf("exit %d, want %d: %s", code, tt.code, errOut)
			}
			_, err := os.Stat(filepath.Join(os.Getenv("STRIDEPATH"), "config", "defaults.json"))
			if (err == nil) != (tt.code == 0) {
				t.Fatalf("defaults.json written: %v, want %v", err == nil, tt.code == 0)
			}
		})
	}
}
