package e2e

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// issueLeaf makes a leaf with `stride certificate create --profile leaf`
// signed by the PKI's intermediate.
func issueLeaf(t *testing.T, e *env, pw, name string, extra ...string) (crt, key string) {
	t.Helper()
	crt, key = e.path(name+".crt"), e.path(name+".key")
	args := append([]string{"certificate", "create", name, crt, key, "--profile", "leaf",
		"--ca", e.pki("certs/intermediate_ca.crt"), "--ca-key", e.pki("secrets/intermediate_ca_key"),
		"--ca-password-file", pw, "--no-password", "--insecure"}, extra...)
	must(t, e.stride(args...))
	return crt, key
}

func TestLeafVerifiesWithOpenSSLAndStride(t *testing.T) {
	e := newEnv(t)
	pw := initCA(t, e)
	crt, _ := issueLeaf(t, e, pw, "web.internal", "--san", "web.internal", "--san", "10.1.2.3")
	r := must(t, e.openssl("verify", "-CAfile", e.pki("certs/root_ca.crt"), "-untrusted", e.pki("certs/intermediate_ca.crt"), crt))
	if !strings.Contains(r.stdout, ": OK") {
		t.Fatal(r)
	}
	text := must(t, e.openssl("x509", "-in", crt, "-noout", "-text")).stdout
	for _, want := range []string{"DNS:web.internal", "IP Address:10.1.2.3", "TLS Web Server Authentication, TLS Web Client Authentication", "Digital Signature"} {
		if !strings.Contains(text, want) {
			t.Errorf("leaf lacks %q:\n%s", want, text)
		}
	}
	bundle := e.path("bundle.crt")
	b1, _ := os.ReadFile(crt)
	b2, _ := os.ReadFile(e.pki("certs/intermediate_ca.crt"))
	os.WriteFile(bundle, append(b1, b2...), 0o600)
	must(t, e.stride("certificate", "verify", bundle, "--roots", e.pki("certs/root_ca.crt")))
	must(t, e.stride("certificate", "verify", bundle, "--roots", e.pki("certs/root_ca.crt"), "--host", "web.internal"))
	mustFail(t, e.stride("certificate", "verify", bundle, "--roots", e.pki("certs/root_ca.crt"), "--host", "other.internal"), "other.internal")
	// Without the intermediate the chain does not verify.
	if r := e.stride("certificate", "verify", crt, "--roots", e.pki("certs/root_ca.crt")); r.code == 0 {
		t.Fatal("verified a leaf without its intermediate")
	}
}

func TestLeafDefaultsToSubjectSANAndOneDay(t *testing.T) {
	e := newEnv(t)
	pw := initCA(t, e)
	crt, _ := issueLeaf(t, e, pw, "svc.internal")
	r := must(t, e.stride("certificate", "inspect", crt, "--format", "json"))
	var j map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &j); err != nil {
		t.Fatalf("inspect json: %v\n%s", err, r.stdout)
	}
	text := must(t, e.openssl("x509", "-in", crt, "-noout", "-text")).stdout
	if !strings.Contains(text, "DNS:svc.internal") {
		t.Fatalf("subject not used as SAN:\n%s", text)
	}
	r = must(t, e.openssl("x509", "-in", crt, "-noout", "-checkend", "86000"))
	if r := e.openssl("x509", "-in", crt, "-noout", "-checkend", "86500"); r.code == 0 {
		t.Fatal("leaf lives longer than a day")
	}
}

func TestIntermediateAndRootProfiles(t *testing.T) {
	e := newEnv(t)
	pw := e.write("pw", testPassword)
	must(t, e.stride("certificate", "create", "Own Root", e.path("root.crt"), e.path("root.key"), "--profile", "root-ca", "--password-file", pw))
	must(t, e.stride("certificate", "create", "Own Issuing", e.path("int.crt"), e.path("int.key"), "--profile", "intermediate-ca",
		"--ca", e.path("root.crt"), "--ca-key", e.path("root.key"), "--ca-password-file", pw, "--password-file", pw))
	must(t, e.stride("certificate", "create", "leaf.internal", e.path("leaf.crt"), e.path("leaf.key"),
		"--ca", e.path("int.crt"), "--ca-key", e.path("int.key"), "--ca-password-file", pw, "--no-password", "--insecure", "--bundle"))
	must(t, e.openssl("verify", "-CAfile", e.path("root.crt"), "-untrusted", e.path("int.crt"), e.path("leaf.crt")))
	must(t, e.stride("certificate", "verify", e.path("leaf.crt"), "--roots", e.path("root.crt")))
}

func TestSignCSROffline(t *testing.T) {
	e := newEnv(t)
	pw := initCA(t, e)
	must(t, e.stride("certificate", "create", "api.internal", e.path("api.csr"), e.path("api.key"), "--csr", "--san", "api.internal", "--no-password", "--insecure"))
	must(t, e.openssl("req", "-in", e.path("api.csr"), "-noout", "-verify"))
	r := must(t, e.stride("certificate", "sign", e.path("api.csr"), e.pki("certs/intermediate_ca.crt"), e.pki("secrets/intermediate_ca_key"), "--password-file", pw))
	crt := e.write("api.crt", r.stdout)
	must(t, e.openssl("verify", "-CAfile", e.pki("certs/root_ca.crt"), "-untrusted", e.pki("certs/intermediate_ca.crt"), crt))
	// An openssl-made CSR signs too.
	must(t, e.openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", e.path("o.key"),
		"-subj", "/CN=openssl.internal", "-out", e.path("o.csr")))
	r = must(t, e.stride("certificate", "sign", e.path("o.csr"), e.pki("certs/intermediate_ca.crt"), e.pki("secrets/intermediate_ca_key"), "--password-file", pw))
	if !strings.Contains(must(t, e.exec("openssl", r.stdout, "x509", "-noout", "-text")).stdout, "DNS:openssl.internal") {
		t.Fatal("CN not added as SAN")
	}
}

// TestZlintFindsNoErrors lints every certificate `ca init` and the leaf
// profile make, with zlint's RFC and community lints (the Web PKI's CA/B
// Forum, browser and ETSI lints do not apply to a private CA: docs/lint.md).
func TestZlintFindsNoErrors(t *testing.T) {
	e := newEnv(t)
	pw := initCA(t, e)
	crt, _ := issueLeaf(t, e, pw, "lint.internal")
	rsaCrt, _ := issueLeaf(t, e, pw, "rsa.internal", "--kty", "RSA")
	for _, c := range []string{e.pki("certs/root_ca.crt"), e.pki("certs/intermediate_ca.crt"), crt, rsaCrt} {
		r := must(t, e.exec(toolsDir+"/zlint", "", "-includeSources", zlintSources, c))
		var results map[string]struct {
			Result  string `json:"result"`
			Details string `json:"details"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &results); err != nil {
			t.Fatalf("zlint output: %v\n%s", err, r.stdout)
		}
		if len(results) < 50 {
			t.Fatalf("zlint ran only %d lints on %s", len(results), c)
		}
		for name, res := range results {
			if res.Result == "error" || res.Result == "fatal" {
				t.Errorf("%s: %s %s %s", c, name, res.Result, res.Details)
			}
		}
		// Our own `certificate lint` agrees.
		must(t, e.stride("certificate", "lint", c))
	}
}

// zlintSources is the private-PKI lint profile (docs/lint.md).
const zlintSources = "RFC5280,RFC3279,RFC5480,RFC5891,RFC8813,Community"

func TestCertificateBadInput(t *testing.T) {
	e := newEnv(t)
	pw := initCA(t, e)
	good, _ := issueLeaf(t, e, pw, "good.internal")
	data, _ := os.ReadFile(good)
	truncated := e.write("truncated.crt", string(data[:len(data)/2]))
	mustFail(t, e.stride("certificate", "inspect", truncated), "truncated.crt")

	// A CSR whose signature was tampered with.
	must(t, e.stride("certificate", "create", "x.internal", e.path("x.csr"), e.path("x.key"), "--csr", "--no-password", "--insecure"))
	csr, _ := os.ReadFile(e.path("x.csr"))
	der := must(t, e.exec("openssl", string(csr), "req", "-outform", "DER")).stdout
	bad := []byte(der)
	bad[len(bad)-5] ^= 0x55
	os.WriteFile(e.path("bad.der"), bad, 0o600)
	must(t, e.openssl("req", "-inform", "DER", "-in", e.path("bad.der"), "-out", e.path("bad.csr")))
	out := e.path("bad.crt")
	mustFail(t, e.stride("certificate", "sign", e.path("bad.csr"), e.pki("certs/intermediate_ca.crt"), e.pki("secrets/intermediate_ca_key"), "--password-file", pw), "signature")

	wrong := e.write("wrong.txt", "not the password")
	mustFail(t, e.stride("certificate", "create", "w.internal", out, e.path("w.key"), "--ca", e.pki("certs/intermediate_ca.crt"),
		"--ca-key", e.pki("secrets/intermediate_ca_key"), "--ca-password-file", wrong, "--no-password", "--insecure"), "password is wrong")
	mustFail(t, e.stride("certificate", "create", "w.internal", out, e.path("w.key"), "--ca", e.pki("certs/intermediate_ca.crt"),
		"--ca-key", e.pki("secrets/intermediate_ca_key"), "--ca-password-file", e.path("missing.txt"), "--no-password", "--insecure"), "missing.txt does not exist")
	mustFail(t, e.stride("certificate", "create", "w.internal", out, e.path("w.key"), "--kty", "RSA", "--size", "1024",
		"--ca", e.pki("certs/intermediate_ca.crt"), "--ca-key", e.pki("secrets/intermediate_ca_key"), "--ca-password-file", pw, "--no-password", "--insecure"), "too small")
	for _, f := range []string{out, e.path("w.key")} {
		if _, err := os.Stat(f); !os.IsNotExist(err) {
			t.Errorf("a failed command wrote %s", f)
		}
	}
	// An existing output is never overwritten without --force.
	mustFail(t, e.stride("certificate", "create", "good.internal", good, e.path("g2.key"), "--ca", e.pki("certs/intermediate_ca.crt"),
		"--ca-key", e.pki("secrets/intermediate_ca_key"), "--ca-password-file", pw, "--no-password", "--insecure"), "--force")
	if now, _ := os.ReadFile(good); string(now) != string(data) {
		t.Fatal("existing certificate overwritten")
	}
}
