package e2e

import (
	"strings"
	"testing"
	"time"
)

// stepToken runs `step ca token` on the client and returns the token.
func stepToken(t *testing.T, c *env, sub string, args ...string) string {
	t.Helper()
	r := must(t, c.step(append([]string{"ca", "token", sub}, args...)...))
	tok := strings.TrimSpace(r.stdout)
	if strings.Count(tok, ".") != 2 {
		t.Fatalf("step ca token printed no JWT: %s", r)
	}
	return tok
}

// jwkFlags selects the init-made JWK provisioner with its password.
func (ca *runningCA) jwkFlags() []string {
	return []string{"--provisioner", provisionerName, "--provisioner-password-file", ca.Password}
}

// TestCASign: a JWK token from `step ca token` signs a CSR made by
// `step certificate create --csr`.
func TestCASign(t *testing.T) {
	t.Parallel()
	forEachCA(t, func(t *testing.T, ca *runningCA) {
		c := ca.client(t)
		must(t, c.step("certificate", "create", "sign.example.com", c.path("sign.csr"), c.path("sign.key"),
			"--csr", "--no-password", "--insecure", "--san", "sign.example.com", "--san", "10.1.2.3"))
		tok := stepToken(t, c, "sign.example.com", append(ca.jwkFlags(), "--san", "sign.example.com", "--san", "10.1.2.3")...)
		must(t, c.step("ca", "sign", c.path("sign.csr"), c.path("sign.crt"), "--token", tok))
		leaf := ca.checkLeaf(t, c, c.path("sign.crt"), "sign.example.com", "10.1.2.3")
		if leaf.Subject.CommonName != "sign.example.com" {
			t.Errorf("CN %q", leaf.Subject.CommonName)
		}
		// The CSR's key is certified.
		pub := must(t, c.openssl("x509", "-in", c.path("sign.crt"), "-noout", "-pubkey")).stdout
		keyPub := must(t, c.openssl("pkey", "-in", c.path("sign.key"), "-pubout")).stdout
		if pub != keyPub {
			t.Error("the certificate does not hold the CSR's key")
		}
		// The token is single-use.
		refused(t, c.step("ca", "sign", c.path("sign.csr"), c.path("again.crt"), "--token", tok), "lacked necessary authorization")
	})
}

// TestCACertificate: `step ca certificate` with several SANs and a requested
// validity of 1 h.
func TestCACertificate(t *testing.T) {
	t.Parallel()
	forEachCA(t, func(t *testing.T, ca *runningCA) {
		c := ca.client(t)
		asked := time.Now()
		must(t, c.step(append([]string{"ca", "certificate", "svc.example.com", c.path("svc.crt"), c.path("svc.key"),
			"--san", "svc.example.com", "--san", "alt.example.com", "--san", "127.0.0.1", "--san", "ops@example.com",
			"--not-after", "1h"}, ca.jwkFlags()...)...))
		leaf := ca.checkLeaf(t, c, c.path("svc.crt"), "svc.example.com", "alt.example.com", "127.0.0.1", "ops@example.com")
		if d := leaf.NotAfter.Sub(asked); d < 59*time.Minute || d > 61*time.Minute {
			t.Errorf("NotAfter is %v after the request, want 1h", d)
		}
		if leaf.NotBefore.After(asked) {
			t.Errorf("NotBefore %v is after the request %v", leaf.NotBefore, asked)
		}
		must(t, c.openssl("pkey", "-in", c.path("svc.key"), "-noout"))
		// A validity above the provisioner's maximum (24h) is refused.
		refused(t, c.step(append([]string{"ca", "certificate", "long.example.com", c.path("long.crt"), c.path("long.key"),
			"--not-after", "48h"}, ca.jwkFlags()...)...), "maximum certificate duration")
	})
}

// TestCAX5C: an X5C provisioner trusting a separate root; a client leaf of
// that root signs the token.
func TestCAX5C(t *testing.T) {
	t.Parallel()
	opts := caOptions{setup: func(t *testing.T, ca *runningCA) {
		e := ca.env
		must(t, e.step("certificate", "create", "X5C Root", e.path("x5c-root.crt"), e.path("x5c-root.key"),
			"--profile", "root-ca", "--no-password", "--insecure"))
		must(t, e.step("ca", "provisioner", "add", "x5c", "--type", "X5C", "--x5c-roots", e.path("x5c-root.crt"),
			"--ca-config", ca.CAConfig))
	}}
	forEachCAWith(t, opts, func(t *testing.T, ca *runningCA) {
		e, c := ca.env, ca.client(t)
		must(t, c.step("certificate", "create", "device-1", c.path("dev.crt"), c.path("dev.key"), "--profile", "leaf",
			"--ca", e.path("x5c-root.crt"), "--ca-key", e.path("x5c-root.key"), "--no-password", "--insecure"))
		must(t, c.step("certificate", "create", "x5c.example.com", c.path("x.csr"), c.path("x.key"),
			"--csr", "--no-password", "--insecure"))
		tok := stepToken(t, c, "x5c.example.com", "--provisioner", "x5c", "--x5c-cert", c.path("dev.crt"), "--x5c-key", c.path("dev.key"))
		must(t, c.step("ca", "sign", c.path("x.csr"), c.path("x.crt"), "--token", tok))
		ca.checkLeaf(t, c, c.path("x.crt"), "x5c.example.com")

		// A leaf of the CA's own root is not trusted by this provisioner.
		must(t, c.step("certificate", "create", "intruder", c.path("in.crt"), c.path("in.key"), "--profile", "leaf",
			"--ca", ca.env.stepPath+"/certs/intermediate_ca.crt", "--ca-key", ca.env.stepPath+"/secrets/intermediate_ca_key",
			"--ca-password-file", ca.Password, "--no-password", "--insecure"))
		tok = stepToken(t, c, "x5c.example.com", "--provisioner", "x5c", "--x5c-cert", c.path("in.crt"), "--x5c-key", c.path("in.key"))
		refused(t, c.step("ca", "sign", c.path("x.csr"), c.path("x2.crt"), "--token", tok), "lacked necessary authorization")
	})
}
