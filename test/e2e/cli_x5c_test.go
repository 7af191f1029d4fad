package e2e

// `stride ca token|sign|certificate|revoke` with --x5c-cert/--x5c-key for an
// X5C provisioner, against step-ca and stride-ca.

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
)

// jwtSegment decodes the header (0) or the claims (1) of a compact JWT.
func jwtSegment(t *testing.T, tok string, i int) map[string]any {
	t.Helper()
	parts := strings.Split(strings.TrimSpace(tok), ".")
	if len(parts) != 3 {
		t.Fatalf("not a compact JWT: %q", tok)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[i])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestCLIX5C(t *testing.T) {
	t.Parallel()
	opts := caOptions{setup: func(t *testing.T, ca *runningCA) {
		e := ca.env
		must(t, e.step("certificate", "create", "X5C Root", e.path("x5c-root.crt"), e.path("x5c-root.key"),
			"--profile", "root-ca", "--no-password", "--insecure"))
		must(t, e.step("ca", "provisioner", "add", "x5c", "--type", "X5C", "--x5c-roots", e.path("x5c-root.crt"),
			"--ca-config", ca.CAConfig))
	}}
	forEachCAWith(t, opts, func(t *testing.T, ca *runningCA) {
		e, c := ca.env, strideClient(t, ca)
		root, rootKey := e.path("x5c-root.crt"), e.path("x5c-root.key")
		must(t, e.step("certificate", "create", "device-1", c.path("dev.crt"), c.path("dev.key"), "--profile", "leaf",
			"--ca", root, "--ca-key", rootKey, "--no-password", "--insecure"))
		x5c := []string{"--x5c-cert", c.path("dev.crt"), "--x5c-key", c.path("dev.key")}

		// ca token + ca sign.
		must(t, c.stride("certificate", "create", "--csr", "x5c.example.com", "x.csr", "x.key", "--no-password", "--insecure"))
		tok := strings.TrimSpace(must(t, c.stride(append([]string{"ca", "token", "x5c.example.com", "--provisioner", "x5c"}, x5c...)...)).stdout)
		h, cl := jwtSegment(t, tok, 0), jwtSegment(t, tok, 1)
		if chain, _ := h["x5c"].([]any); len(chain) != 1 {
			t.Errorf("x5c header %v, want the leaf", h["x5c"])
		} else if der, err := base64.StdEncoding.DecodeString(chain[0].(string)); err != nil || string(der) != string(readCert(t, c.path("dev.crt")).Raw) {
			t.Errorf("x5c[0] is not the leaf's DER (%v)", err)
		}
		if cl["iss"] != "x5c" || cl["sub"] != "x5c.example.com" || cl["aud"] != ca.URL+"/1.0/sign#x5c/x5c" {
			t.Errorf("claims %v", cl)
		}
		must(t, c.stride("ca", "sign", "x.csr", "x.crt", "--token", tok))
		ca.checkLeaf(t, c, c.path("x.crt"), "x5c.example.com")

		// Minted by ca sign itself; the only X5C provisioner needs no --provisioner.
		must(t, c.stride(append([]string{"ca", "sign", "x.csr", "x2.crt"}, x5c...)...))
		ca.checkLeaf(t, c, c.path("x2.crt"), "x5c.example.com")

		// ca certificate, with SANs.
		must(t, c.stride(append([]string{"ca", "certificate", "svc.example.com", "svc.crt", "svc.key", "--provisioner", "x5c",
			"--san", "svc.example.com", "--san", "127.0.0.1"}, x5c...)...))
		ca.checkLeaf(t, c, c.path("svc.crt"), "svc.example.com", "127.0.0.1")

		// An encrypted device key (--password-file) under an intermediate given with --x5c-chain.
		must(t, e.step("certificate", "create", "X5C Intermediate", c.path("int.crt"), c.path("int.key"), "--profile", "intermediate-ca",
			"--ca", root, "--ca-key", rootKey, "--no-password", "--insecure"))
		must(t, e.step("certificate", "create", "device-2", c.path("dev2.crt"), c.path("dev2.key"), "--profile", "leaf",
			"--ca", c.path("int.crt"), "--ca-key", c.path("int.key"), "--password-file", ca.Password))
		x5c2 := []string{"--x5c-cert", c.path("dev2.crt"), "--x5c-key", c.path("dev2.key"), "--password-file", ca.Password}
		refused(t, c.stride(append([]string{"ca", "certificate", "nochain.example.com", "n.crt", "n.key"}, x5c2...)...), "")
		must(t, c.stride(append([]string{"ca", "certificate", "dev2.example.com", "d2.crt", "d2.key",
			"--x5c-chain", c.path("int.crt")}, x5c2...)...))
		ca.checkLeaf(t, c, c.path("d2.crt"), "dev2.example.com")

		// ca revoke with an X5C revoke token.
		serial := readCert(t, c.path("svc.crt")).SerialNumber.String()
		tok = strings.TrimSpace(must(t, c.stride(append([]string{"ca", "token", serial, "--revoke"}, x5c...)...)).stdout)
		if aud := jwtSegment(t, tok, 1)["aud"]; aud != ca.URL+"/1.0/revoke#x5c/x5c" {
			t.Errorf("revoke token aud %v", aud)
		}
		r := must(t, c.stride(append([]string{"ca", "revoke", serial, "--provisioner", "x5c"}, x5c...)...))
		if !strings.Contains(r.stderr, "Certificate with Serial Number "+serial+" has been revoked.") {
			t.Errorf("revoke printed %s", r)
		}
		refused(t, c.stride("ca", "renew", "--force", c.path("svc.crt"), c.path("svc.key")), "refused to renew")

		// A leaf of another root (the CA's own intermediate) is refused.
		must(t, e.step("certificate", "create", "intruder", c.path("in.crt"), c.path("in.key"), "--profile", "leaf",
			"--ca", e.stepPath+"/certs/intermediate_ca.crt", "--ca-key", e.stepPath+"/secrets/intermediate_ca_key",
			"--ca-password-file", ca.Password, "--no-password", "--insecure"))
		refused(t, c.stride("ca", "sign", "x.csr", "x3.crt", "--x5c-cert", c.path("in.crt"), "--x5c-key", c.path("in.key")),
			"lacked necessary authorization")

		// Flag errors: a key of another certificate, a JWK provisioner's name, a lone --x5c-key.
		mustFail(t, c.stride("ca", "token", "a.example.com", "--x5c-cert", c.path("dev.crt"), "--x5c-key", c.path("in.key")), "not the private key")
		mustFail(t, c.stride(append([]string{"ca", "token", "a.example.com", "--provisioner", provisionerName}, x5c...)...), "no X5C provisioner")
		mustFail(t, c.stride("ca", "token", "a.example.com", "--x5c-key", c.path("dev.key")), "--x5c-cert")
	})
}
