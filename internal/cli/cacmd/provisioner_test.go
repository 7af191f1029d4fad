package cacmd_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stride-pki/stride/internal/cli"
	"github.com/stride-pki/stride/internal/jose"
	"github.com/stride-pki/stride/internal/pemutil"
)

// baseCAJSON has a JWK provisioner, an OIDC one Stride does not edit and
// members Stride does not model, which every edit must keep.
const baseCAJSON = `{
  "root": "certs/root_ca.crt",
  "crt": "certs/intermediate_ca.crt",
  "key": "secrets/intermediate_ca_key",
  "address": "127.0.0.1:9000",
  "dnsNames": ["localhost"],
  "futureTopLevel": {"kept": true},
  "authority": {
    "provisioners": [
      {"type": "JWK", "name": "admin", "key": {"use": "sig", "kty": "EC", "kid": "k1", "crv": "P-256", "alg": "ES256",
        "x": "lxaust14NyolMzSTkL1PMqTQ1axd4Tn1G9W8gzxM0s4", "y": "ZZSkjIB6tcznbn5tIcIjYm-QP4Ssum16bcBeL7ipAd8"}},
      {"type": "OIDC", "name": "google", "clientID": "cid", "futureMember": [1, 2]}
    ]
  }
}`

type fixture struct {
	dir, caJSON, pw string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("STRIDEPATH", filepath.Join(dir, "stridepath"))
	f := &fixture{dir: dir, caJSON: filepath.Join(dir, "ca.json"), pw: filepath.Join(dir, "pw")}
	writeFile(t, f.caJSON, baseCAJSON)
	writeFile(t, f.pw, "secret-pw\n")
	return f
}

func writeFile(t *testing.T, path, data string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

type result struct {
	code           int
	stdout, stderr string
}

// run calls the stride CLI with stdin not a terminal.
func (f *fixture) run(t *testing.T, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	args = append(args, "--ca-config", f.caJSON)
	code := cli.Main(context.Background(), args, strings.NewReader(""), &out, &errb)
	return result{code, out.String(), errb.String()}
}

// provisioner returns the named provisioner of ca.json as a map.
func (f *fixture) provisioner(t *testing.T, name string) map[string]any {
	t.Helper()
	for _, p := range f.provisioners(t) {
		if p["name"] == name {
			return p
		}
	}
	return nil
}

func (f *fixture) provisioners(t *testing.T) []map[string]any {
	t.Helper()
	var cfg struct {
		Authority struct {
			Provisioners []map[string]any `json:"provisioners"`
		} `json:"authority"`
		FutureTopLevel map[string]any `json:"futureTopLevel"`
	}
	b, err := os.ReadFile(f.caJSON)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.FutureTopLevel["kept"] != true {
		t.Errorf("futureTopLevel was lost: %s", b)
	}
	return cfg.Authority.Provisioners
}

func (f *fixture) checkOIDCKept(t *testing.T) {
	t.Helper()
	o := f.provisioner(t, "google")
	if o == nil || o["clientID"] != "cid" || o["futureMember"] == nil {
		t.Errorf("the OIDC provisioner changed: %v", o)
	}
}

func selfSigned(t *testing.T, dir string) string {
	t.Helper()
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "X5C Root"},
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, k.Public(), k)
	if err != nil {
		t.Fatal(err)
	}
	return writeFile(t, filepath.Join(dir, "x5c_root.crt"), string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
}

// checkJWK verifies a JWK provisioner: kid = thumbprint and, with a
// password, an encryptedKey that opens to the same key.
func checkJWK(t *testing.T, p map[string]any, password string) string {
	t.Helper()
	keyJSON, _ := json.Marshal(p["key"])
	pub, err := jose.ParseJWK(keyJSON)
	if err != nil {
		t.Fatalf("key: %v", err)
	}
	tp, _ := jose.Thumbprint(pub)
	if pub.KeyID != tp {
		t.Errorf("kid %q, thumbprint %q", pub.KeyID, tp)
	}
	enc, _ := p["encryptedKey"].(string)
	if password == "" {
		if enc != "" {
			t.Errorf("encryptedKey written without a private key")
		}
		return tp
	}
	priv, err := jose.DecryptJWK(enc, []byte(password))
	if err != nil {
		t.Fatalf("encryptedKey: %v", err)
	}
	if ptp, _ := jose.Thumbprint(jose.Public(priv)); ptp != tp {
		t.Errorf("encryptedKey holds another key")
	}
	return tp
}

func TestProvisionerAdd(t *testing.T) {
	tests := []struct {
		name  string
		args  func(f *fixture) []string
		code  int
		want  string // in stderr on failure
		check func(t *testing.T, f *fixture, p map[string]any)
	}{
		{"jwk create", func(f *fixture) []string {
			return []string{"jim@example.com", "--create", "--password-file", f.pw}
		}, 0, "", func(t *testing.T, f *fixture, p map[string]any) {
			checkJWK(t, p, "secret-pw")
			if p["type"] != "JWK" || p["claims"] != nil || p["options"] != nil {
				t.Errorf("unexpected members: %v", p)
			}
		}},
		{"jwk public key JWK", func(f *fixture) []string {
			k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			jwk, _ := jose.NewJWK(k)
			b, _ := json.Marshal(jose.Public(jwk))
			return []string{"jim@example.com", "--public-key", writeFile(t, filepath.Join(f.dir, "pub.json"), string(b))}
		}, 0, "", func(t *testing.T, f *fixture, p map[string]any) { checkJWK(t, p, "") }},
		{"jwk public key PEM", func(f *fixture) []string {
			k, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
			b, _ := pemutil.EncodePublicKey(k.Public())
			return []string{"jim@example.com", "--public-key", writeFile(t, filepath.Join(f.dir, "pub.pem"), string(b))}
		}, 0, "", func(t *testing.T, f *fixture, p map[string]any) {
			checkJWK(t, p, "")
			if p["key"].(map[string]any)["alg"] != "ES384" {
				t.Errorf("alg: %v", p["key"])
			}
		}},
		{"jwk private key PEM", func(f *fixture) []string {
			k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			b, _ := pemutil.EncodePrivateKey(k, nil)
			return []string{"jim@example.com", "--private-key", writeFile(t, filepath.Join(f.dir, "k.pem"), string(b)), "--password-file", f.pw}
		}, 0, "", func(t *testing.T, f *fixture, p map[string]any) { checkJWK(t, p, "secret-pw") }},
		{"jwk claims and template", func(f *fixture) []string {
			return []string{"ci", "--type", "jwk", "--create", "--password-file", f.pw, "--x509-min-dur", "10m",
				"--x509-default-dur", "48h", "--x509-max-dur", "72h", "--disable-renewal", "--ssh=false",
				"--x509-template", writeFile(t, filepath.Join(f.dir, "t.tpl"), `{"subject": {{ toJson .Subject }}}`),
				"--x509-template-data", writeFile(t, filepath.Join(f.dir, "d.json"), `{"team": "ci"}`)}
		}, 0, "", func(t *testing.T, f *fixture, p map[string]any) {
			c := p["claims"].(map[string]any)
			want := map[string]any{"minTLSCertDuration": "10m0s", "defaultTLSCertDuration": "48h0m0s",
				"maxTLSCertDuration": "72h0m0s", "disableRenewal": true, "enableSSHCA": false}
			if len(c) != len(want) {
				t.Errorf("claims %v, want %v", c, want)
			}
			for k, v := range want {
				if c[k] != v {
					t.Errorf("claims.%s = %v, want %v", k, c[k], v)
				}
			}
			x := p["options"].(map[string]any)["x509"].(map[string]any)
			if x["template"] != `{"subject": {{ toJson .Subject }}}` || x["templateData"].(map[string]any)["team"] != "ci" {
				t.Errorf("options.x509 %v", x)
			}
		}},
		{"x5c", func(f *fixture) []string {
			return []string{"x5c", "--type", "X5C", "--x5c-roots", selfSigned(t, f.dir)}
		}, 0, "", func(t *testing.T, f *fixture, p map[string]any) {
			b, err := base64.StdEncoding.DecodeString(p["roots"].(string))
			if err != nil || !strings.HasPrefix(string(b), "-----BEGIN CERTIFICATE-----") {
				t.Errorf("roots is not base64 of PEM: %v %q", err, b)
			}
		}},
		{"acme", func(f *fixture) []string {
			return []string{"acme", "--type", "ACME", "--challenge", "http-01", "--challenge", "DNS-01", "--require-eab", "--force-cn"}
		}, 0, "", func(t *testing.T, f *fixture, p map[string]any) {
			if p["forceCN"] != true || p["requireEAB"] != true || len(p["challenges"].([]any)) != 2 || p["challenges"].([]any)[1] != "dns-01" {
				t.Errorf("acme: %v", p)
			}
		}},
		{"duplicate", func(f *fixture) []string { return []string{"admin", "--create", "--password-file", f.pw} }, 1, `named "admin"`, nil},
		{"bad duration", func(f *fixture) []string {
			return []string{"jim", "--create", "--password-file", f.pw, "--x509-max-dur", "5x"}
		}, 2, "--x509-max-dur", nil},
		{"negative duration", func(f *fixture) []string {
			return []string{"jim", "--create", "--password-file", f.pw, "--x509-max-dur", "-5m"}
		}, 2, "--x509-max-dur", nil},
		{"min above max", func(f *fixture) []string {
			return []string{"jim", "--create", "--password-file", f.pw, "--x509-min-dur", "2h", "--x509-max-dur", "1h"}
		}, 1, "minTLSCertDuration", nil},
		{"missing password file", func(f *fixture) []string {
			return []string{"jim", "--create", "--password-file", filepath.Join(f.dir, "nope")}
		}, 1, "does not exist", nil},
		{"no terminal", func(f *fixture) []string { return []string{"jim", "--create"} }, 2, "--password-file", nil},
		{"no key", func(f *fixture) []string { return []string{"jim"} }, 2, "--create", nil},
		{"create and public key", func(f *fixture) []string { return []string{"jim", "--create", "--public-key", "x"} }, 2, "--create", nil},
		{"x5c without roots", func(f *fixture) []string { return []string{"x", "--type", "x5c"} }, 2, "--x5c-roots", nil},
		{"flag of another type", func(f *fixture) []string { return []string{"a", "--type", "acme", "--create"} }, 2, "--create applies to JWK", nil},
		{"unknown challenge", func(f *fixture) []string { return []string{"a", "--type", "acme", "--challenge", "smtp-01"} }, 2, "smtp-01", nil},
		{"type not editable", func(f *fixture) []string { return []string{"o", "--type", "OIDC"} }, 2, "OIDC", nil},
		{"unknown type", func(f *fixture) []string { return []string{"o", "--type", "magic"} }, 2, "magic", nil},
		{"unknown flag", func(f *fixture) []string { return []string{"o", "--client-id", "x"} }, 2, "client-id", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			before, _ := os.ReadFile(f.caJSON)
			r := f.run(t, append([]string{"ca", "provisioner", "add"}, tc.args(f)...)...)
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d: %s", r.code, tc.code, r.stderr)
			}
			if tc.code != 0 {
				if !strings.Contains(r.stderr, tc.want) {
					t.Errorf("stderr %q does not mention %q", r.stderr, tc.want)
				}
				if after, _ := os.ReadFile(f.caJSON); !bytes.Equal(before, after) {
					t.Errorf("ca.json changed on failure")
				}
				return
			}
			if !strings.Contains(r.stderr, "SIGHUP") || !strings.Contains(r.stderr, "stride-ca") {
				t.Errorf("no reload hint: %q", r.stderr)
			}
			provs := f.provisioners(t)
			if len(provs) != 3 || provs[0]["name"] != "admin" {
				t.Fatalf("provisioners: %v", provs)
			}
			f.checkOIDCKept(t)
			tc.check(t, f, provs[2])
		})
	}
}

func TestProvisionerUpdate(t *testing.T) {
	f := newFixture(t)
	if r := f.run(t, "ca", "provisioner", "add", "jim", "--create", "--password-file", f.pw, "--x509-max-dur", "48h", "--disable-renewal"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	kid := checkJWK(t, f.provisioner(t, "jim"), "secret-pw")

	r := f.run(t, "ca", "provisioner", "update", "jim", "--x509-default-dur", "36h", "--disable-renewal=false",
		"--x509-template", writeFile(t, filepath.Join(f.dir, "t.tpl"), "{}"))
	if r.code != 0 {
		t.Fatal(r.stderr)
	}
	p := f.provisioner(t, "jim")
	c := p["claims"].(map[string]any)
	if c["maxTLSCertDuration"] != "48h0m0s" || c["defaultTLSCertDuration"] != "36h0m0s" || c["disableRenewal"] != false {
		t.Errorf("claims after update: %v", c)
	}
	if checkJWK(t, p, "secret-pw") != kid {
		t.Errorf("update without key flags changed the key")
	}

	writeFile(t, filepath.Join(f.dir, "pw2"), "other")
	if r := f.run(t, "ca", "provisioner", "update", "jim", "--create", "--password-file", filepath.Join(f.dir, "pw2"), "--name", "jim2"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	p = f.provisioner(t, "jim2")
	if p == nil || checkJWK(t, p, "other") == kid || p["claims"].(map[string]any)["maxTLSCertDuration"] != "48h0m0s" {
		t.Errorf("rotation and rename: %v", p)
	}

	// claims of a type Stride does not edit; its own members stay.
	if r := f.run(t, "ca", "provisioner", "update", "google", "--x509-max-dur", "2h"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	f.checkOIDCKept(t)

	for _, bad := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"nobody", "--x509-max-dur", "1h"}, 1, `no provisioner named "nobody"`},
		{[]string{"jim2", "--name", "admin"}, 1, `"admin" already exists`},
		{[]string{"google", "--create"}, 2, "--create applies to JWK"},
		{[]string{"jim2", "--x509-min-dur", "soon"}, 2, "--x509-min-dur"},
	} {
		r := f.run(t, append([]string{"ca", "provisioner", "update"}, bad.args...)...)
		if r.code != bad.code || !strings.Contains(r.stderr, bad.want) {
			t.Errorf("update %v: exit %d %q, want %d mentioning %q", bad.args, r.code, r.stderr, bad.code, bad.want)
		}
	}
}

func TestProvisionerUpdateACME(t *testing.T) {
	f := newFixture(t)
	if r := f.run(t, "ca", "provisioner", "add", "acme", "--type", "ACME", "--challenge", "http-01", "--challenge", "dns-01", "--force-cn"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	if r := f.run(t, "ca", "provisioner", "update", "acme", "--remove-challenge", "http-01", "--challenge", "tls-alpn-01", "--force-cn=false"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	p := f.provisioner(t, "acme")
	got, _ := json.Marshal(p["challenges"])
	if string(got) != `["dns-01","tls-alpn-01"]` || p["forceCN"] != nil {
		t.Errorf("acme after update: %v", p)
	}
}

func TestProvisionerRemoveAndList(t *testing.T) {
	f := newFixture(t)
	r := f.run(t, "ca", "provisioner", "list")
	var listed []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &listed); r.code != 0 || err != nil || len(listed) != 2 || listed[1]["futureMember"] == nil {
		t.Fatalf("list: exit %d, %v, %s", r.code, err, r.stdout)
	}
	if r := f.run(t, "ca", "provisioner", "remove", "nobody"); r.code != 1 || !strings.Contains(r.stderr, `"admin", "google"`) {
		t.Errorf("remove unknown: %d %q", r.code, r.stderr)
	}
	if r := f.run(t, "ca", "provisioner", "remove", "google"); r.code != 0 || strings.Contains(r.stderr, "warning") {
		t.Fatalf("remove: %d %q", r.code, r.stderr)
	}
	if r := f.run(t, "ca", "provisioner", "remove", "admin"); r.code != 0 || !strings.Contains(r.stderr, "last provisioner") {
		t.Fatalf("remove last: %d %q", r.code, r.stderr)
	}
	if provs := f.provisioners(t); len(provs) != 0 {
		t.Errorf("left: %v", provs)
	}
}

// TestProvisionerReload checks that --reload sends SIGHUP to the process
// in --pid-file (a sleep, which SIGHUP ends).
func TestProvisionerReload(t *testing.T) {
	f := newFixture(t)
	sleep := exec.Command("sleep", "30")
	if err := sleep.Start(); err != nil {
		t.Fatal(err)
	}
	defer sleep.Process.Kill()
	pidFile := writeFile(t, filepath.Join(f.dir, "ca.pid"), strconv.Itoa(sleep.Process.Pid)+"\n")
	r := f.run(t, "ca", "provisioner", "remove", "google", "--reload", "--pid-file", pidFile)
	if r.code != 0 {
		t.Fatal(r.stderr)
	}
	err := sleep.Wait()
	ws, ok := sleep.ProcessState.Sys().(syscall.WaitStatus)
	if err == nil || !ok || !ws.Signaled() || ws.Signal() != syscall.SIGHUP {
		t.Errorf("the process did not get SIGHUP: %v", err)
	}
	if r := f.run(t, "ca", "provisioner", "remove", "admin", "--reload"); r.code != 2 || !strings.Contains(r.stderr, "--pid-file") {
		t.Errorf("--reload without --pid-file: %d %q", r.code, r.stderr)
	}
}

// TestProvisionerDefaultConfig checks that without --ca-config the file
// under $STRIDEPATH/config is edited.
func TestProvisionerDefaultConfig(t *testing.T) {
	f := newFixture(t)
	def := filepath.Join(os.Getenv("STRIDEPATH"), "config", "ca.json")
	if err := os.MkdirAll(filepath.Dir(def), 0o700); err != nil {
		t.Fatal(err)
	}
	writeFile(t, def, baseCAJSON)
	var out, errb bytes.Buffer
	code := cli.Main(context.Background(), []string{"ca", "provisioner", "add", "jim", "--create", "--password-file", f.pw},
		strings.NewReader(""), &out, &errb)
	if code != 0 {
		t.Fatal(errb.String())
	}
	f.caJSON = def
	checkJWK(t, f.provisioner(t, "jim"), "secret-pw")
}
