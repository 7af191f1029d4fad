package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const testPassword = "correct horse battery staple"

// initCA runs a non-interactive `stride ca init` and returns the password file.
func initCA(t *testing.T, e *env, extra ...string) string {
	t.Helper()
	pw := e.write("password.txt", testPassword+"\n")
	args := append([]string{"ca", "init", "--name", "Stride Test", "--dns", "localhost", "--dns", "127.0.0.1",
		"--address", "127.0.0.1:9443", "--provisioner", "admin@example.com", "--password-file", pw}, extra...)
	r := must(t, e.stride(args...))
	if !strings.Contains(r.stdout, "Root fingerprint: ") {
		t.Fatalf("no fingerprint printed: %s", r)
	}
	return pw
}

func (e *env) pki(rel string) string { return filepath.Join(e.stridePath, rel) }

func TestCAInitOpenSSLVerifies(t *testing.T) {
	e := newEnv(t)
	pw := initCA(t, e)
	for _, f := range []string{"certs/root_ca.crt", "certs/intermediate_ca.crt", "secrets/root_ca_key",
		"secrets/intermediate_ca_key", "config/ca.json", "config/defaults.json"} {
		if _, err := os.Stat(e.pki(f)); err != nil {
			t.Fatalf("%s not written: %v", f, err)
		}
	}
	r := must(t, e.openssl("verify", "-CAfile", e.pki("certs/root_ca.crt"), e.pki("certs/intermediate_ca.crt")))
	if !strings.Contains(r.stdout, ": OK") {
		t.Fatalf("openssl verify: %s", r)
	}
	text := must(t, e.openssl("x509", "-in", e.pki("certs/root_ca.crt"), "-noout", "-text")).stdout
	for _, want := range []string{"Subject: O = Stride Test, CN = Stride Test Root CA", "CA:TRUE, pathlen:1", "Certificate Sign, CRL Sign", "prime256v1"} {
		if !strings.Contains(text, want) {
			t.Errorf("root lacks %q:\n%s", want, text)
		}
	}
	text = must(t, e.openssl("x509", "-in", e.pki("certs/intermediate_ca.crt"), "-noout", "-text")).stdout
	if !strings.Contains(text, "CN = Stride Test Intermediate CA") || !strings.Contains(text, "CA:TRUE, pathlen:0") {
		t.Errorf("intermediate:\n%s", text)
	}
	// openssl decrypts the PKCS#8 key with the password, and refuses a wrong one.
	key, _ := os.ReadFile(e.pki("secrets/intermediate_ca_key"))
	if !strings.HasPrefix(string(key), "-----BEGIN ENCRYPTED PRIVATE KEY-----") {
		t.Fatalf("intermediate key is not PKCS#8 encrypted:\n%s", key)
	}
	must(t, e.openssl("pkey", "-in", e.pki("secrets/intermediate_ca_key"), "-passin", "file:"+pw, "-noout"))
	bad := e.write("bad.txt", "wrong\n")
	if r := e.openssl("pkey", "-in", e.pki("secrets/intermediate_ca_key"), "-passin", "file:"+bad, "-noout"); r.code == 0 {
		t.Fatal("openssl accepted a wrong password")
	}
	// The PBES2 parameters are the strong ones we promise.
	asn := must(t, e.openssl("asn1parse", "-in", e.pki("secrets/intermediate_ca_key"))).stdout
	for _, want := range []string{"PBES2", "PBKDF2", "hmacWithSHA256", "aes-256-cbc", "INTEGER           :0927C0"} {
		if !strings.Contains(asn, want) {
			t.Errorf("key parameters lack %q:\n%s", want, asn)
		}
	}
}

func TestCAInitConfigFiles(t *testing.T) {
	e := newEnv(t)
	initCA(t, e, "--ssh", "--acme")
	var ca map[string]any
	b, _ := os.ReadFile(e.pki("config/ca.json"))
	if err := json.Unmarshal(b, &ca); err != nil {
		t.Fatal(err)
	}
	if ca["address"] != "127.0.0.1:9443" || ca["root"] != e.pki("certs/root_ca.crt") {
		t.Errorf("ca.json: %s", b)
	}
	db := ca["db"].(map[string]any)
	if db["type"] != "bbolt" || !strings.HasPrefix(db["dataSource"].(string), e.pki("db")) {
		t.Errorf("db: %v", db)
	}
	provs := ca["authority"].(map[string]any)["provisioners"].([]any)
	types := []string{}
	for _, p := range provs {
		types = append(types, p.(map[string]any)["type"].(string))
	}
	if strings.Join(types, ",") != "JWK,ACME,SSHPOP" {
		t.Errorf("provisioner types %v", types)
	}
	jwk := provs[0].(map[string]any)
	if jwk["claims"].(map[string]any)["enableSSHCA"] != true || jwk["encryptedKey"] == "" {
		t.Errorf("JWK provisioner: %v", jwk)
	}
	for _, f := range []string{"certs/ssh_host_ca_key.pub", "certs/ssh_user_ca_key.pub", "secrets/ssh_host_ca_key", "secrets/ssh_user_ca_key"} {
		if _, err := os.Stat(e.pki(f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	// The SSH public key is in authorized_keys form, which ssh-keygen reads.
	r := must(t, e.exec("ssh-keygen", "", "-l", "-f", e.pki("certs/ssh_user_ca_key.pub")))
	if !strings.Contains(r.stdout, "ECDSA") {
		t.Errorf("ssh-keygen: %s", r)
	}
	var defaults map[string]string
	b, _ = os.ReadFile(e.pki("config/defaults.json"))
	if err := json.Unmarshal(b, &defaults); err != nil {
		t.Fatal(err)
	}
	fp := strings.TrimSpace(must(t, e.stride("certificate", "fingerprint", e.pki("certs/root_ca.crt"))).stdout)
	if defaults["ca-url"] != "https://localhost:9443" || defaults["fingerprint"] != fp || defaults["root"] != e.pki("certs/root_ca.crt") {
		t.Errorf("defaults.json %v (fingerprint %s)", defaults, fp)
	}
	must(t, e.strideCA("--check", e.pki("config/ca.json")))
}

func TestCAInitPKIOnlyAndContext(t *testing.T) {
	e := newEnv(t)
	pw := e.write("pw", testPassword)
	must(t, e.stride("ca", "init", "--pki", "--name", "Only", "--password-file", pw))
	if _, err := os.Stat(e.pki("config/ca.json")); !os.IsNotExist(err) {
		t.Fatalf("--pki wrote ca.json: %v", err)
	}
	must(t, e.openssl("verify", "-CAfile", e.pki("certs/root_ca.crt"), e.pki("certs/intermediate_ca.crt")))

	e2 := newEnv(t)
	initCA(t, e2, "--context", "prod")
	if _, err := os.Stat(e2.pki("authorities/prod/config/ca.json")); err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(must(t, e2.stride("context", "current")).stdout); got != "prod" {
		t.Fatalf("current context %q", got)
	}
	if got := strings.TrimSpace(must(t, e2.stride("path")).stdout); got != e2.pki("authorities/prod") {
		t.Fatalf("stride path %q", got)
	}
}

func TestCAInitRSAAndExistingRoot(t *testing.T) {
	e := newEnv(t)
	pw := initCA(t, e, "--kty", "RSA", "--size", "3072")
	text := must(t, e.openssl("x509", "-in", e.pki("certs/root_ca.crt"), "-noout", "-text")).stdout
	if !strings.Contains(text, "Public-Key: (3072 bit)") {
		t.Fatalf("root is not RSA 3072:\n%s", text)
	}
	// A second PKI reuses the first one's root (--root/--key).
	e2 := newEnv(t)
	r := must(t, e2.stride("ca", "init", "--name", "Reuse", "--dns", "ca.internal", "--address", ":443",
		"--provisioner", "ops", "--password-file", pw, "--root", e.pki("certs/root_ca.crt"),
		"--key", e.pki("secrets/root_ca_key"), "--key-password-file", pw))
	if _, err := os.Stat(e2.pki("secrets/root_ca_key")); !os.IsNotExist(err) {
		t.Fatalf("the existing root's key was copied: %v", err)
	}
	must(t, e2.openssl("verify", "-CAfile", e.pki("certs/root_ca.crt"), e2.pki("certs/intermediate_ca.crt")))
	if !strings.Contains(r.stdout, "https://") && !strings.Contains(r.stdout, "Root fingerprint") {
		t.Fatalf("output: %s", r)
	}
}

func TestCAInitBadInput(t *testing.T) {
	base := []string{"ca", "init", "--name", "Bad", "--address", ":9000", "--provisioner", "p"}
	cases := []struct {
		name string
		args func(e *env) []string
		want string
	}{
		{"missing password file", func(e *env) []string {
			return append(base, "--dns", "localhost", "--password-file", e.path("nope.txt"))
		}, "nope.txt does not exist"},
		{"invalid dns name", func(e *env) []string {
			return append(base, "--dns", "bad name!", "--password-file", e.write("pw", "x"))
		}, `--dns "bad name!" is not a valid DNS name`},
		{"rsa too small", func(e *env) []string {
			return append(base, "--dns", "localhost", "--kty", "RSA", "--size", "1024", "--password-file", e.write("pw", "x"))
		}, "too small"},
		{"no terminal, missing flags", func(e *env) []string {
			return []string{"ca", "init", "--name", "X"}
		}, "--dns, --address, --provisioner, --password-file"},
		{"empty password file", func(e *env) []string {
			return append(base, "--dns", "localhost", "--password-file", e.write("pw", "\n"))
		}, "is empty"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			mustFail(t, e.stride(tc.args(e)...), tc.want)
			if _, err := os.Stat(e.stridePath); !os.IsNotExist(err) {
				entries, _ := os.ReadDir(e.stridePath)
				if len(entries) > 0 {
					t.Fatalf("a failed init left files behind: %v", entries)
				}
			}
		})
	}
}

func TestCAInitRefusesExistingPKI(t *testing.T) {
	e := newEnv(t)
	pw := initCA(t, e)
	before, _ := os.ReadFile(e.pki("certs/root_ca.crt"))
	r := e.stride("ca", "init", "--name", "Again", "--dns", "localhost", "--address", ":9000",
		"--provisioner", "p", "--password-file", pw)
	mustFail(t, r, "use --force")
	after, _ := os.ReadFile(e.pki("certs/root_ca.crt"))
	if string(before) != string(after) {
		t.Fatal("the refused init changed the root")
	}
	must(t, e.stride("ca", "init", "--name", "Again", "--dns", "localhost", "--address", ":9000",
		"--provisioner", "p", "--password-file", pw, "--force"))
	after, _ = os.ReadFile(e.pki("certs/root_ca.crt"))
	if string(before) == string(after) {
		t.Fatal("--force did not replace the PKI")
	}
}

func TestCorruptCAConfigNamesTheLine(t *testing.T) {
	e := newEnv(t)
	initCA(t, e)
	path := e.pki("config/ca.json")
	b, _ := os.ReadFile(path)
	lines := strings.Split(string(b), "\n")
	lines[4] = `	"crt": ,`
	os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o600)
	r := e.strideCA("--check", path)
	mustFail(t, r, "ca.json:5:")
}
