package e2e

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stride-pki/stride/internal/config"
)

// TestStepReadsStride: the real step CLI reads what Stride writes.
func TestStepReadsStride(t *testing.T) {
	e := newEnv(t)
	pw := initCA(t, e)
	root := e.pki("certs/root_ca.crt")

	// certificate inspect and fingerprint
	r := must(t, e.step("certificate", "inspect", root, "--format", "json"))
	if !strings.Contains(r.stdout, "Stride Test Root CA") {
		t.Fatalf("step inspect: %s", r)
	}
	ours := strings.TrimSpace(must(t, e.stride("certificate", "fingerprint", root)).stdout)
	theirs := strings.TrimSpace(must(t, e.step("certificate", "fingerprint", root)).stdout)
	if ours != theirs || len(ours) != 64 {
		t.Fatalf("fingerprints differ: stride %q, step %q", ours, theirs)
	}

	// step crypto jwe decrypt opens the provisioner's encryptedKey.
	cfg, err := config.Load(e.pki("config/ca.json"))
	if err != nil {
		t.Fatal(err)
	}
	jwk, err := cfg.Authority.Provisioners[0].JWK()
	if err != nil {
		t.Fatal(err)
	}
	r = must(t, e.exec(toolsDir+"/step", jwk.EncryptedKey, "crypto", "jwe", "decrypt", "--password-file", pw))
	var priv map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &priv); err != nil || priv["d"] == nil {
		t.Fatalf("decrypted key is not a private JWK: %v\n%s", err, r.stdout)
	}
	var pub map[string]any
	json.Unmarshal(jwk.Key, &pub)
	if priv["kid"] != pub["kid"] || priv["x"] != pub["x"] {
		t.Fatalf("decrypted key %v does not match public %v", priv, pub)
	}
	thumb := must(t, e.exec(toolsDir+"/step", string(jwk.Key), "crypto", "jwk", "thumbprint")).stdout
	if strings.TrimSpace(thumb) != pub["kid"] {
		t.Fatalf("kid %v is not the RFC 7638 thumbprint %s", pub["kid"], thumb)
	}

	// step crypto change-pass accepts our encrypted key.
	newPW := e.write("new.txt", "another password")
	must(t, e.step("crypto", "change-pass", e.pki("secrets/root_ca_key"), "--password-file", pw,
		"--new-password-file", newPW, "--out", e.path("root.rekeyed"), "--force"))
	// ... and stride reads step's re-encrypted (legacy PEM) result.
	must(t, e.stride("crypto", "change-pass", e.path("root.rekeyed"), "--password-file", newPW,
		"--new-password-file", pw, "--out", e.path("root.back"), "--force"))
	must(t, e.openssl("pkey", "-in", e.path("root.back"), "-passin", "file:"+pw, "-noout"))

	// step certificate create signs with our intermediate key.
	must(t, e.step("certificate", "create", "step.internal", e.path("step.crt"), e.path("step.key"),
		"--ca", e.pki("certs/intermediate_ca.crt"), "--ca-key", e.pki("secrets/intermediate_ca_key"),
		"--ca-password-file", pw, "--no-password", "--insecure"))
	must(t, e.openssl("verify", "-CAfile", root, "-untrusted", e.pki("certs/intermediate_ca.crt"), e.path("step.crt")))

	// step reads a leaf Stride issued.
	crt, _ := issueLeaf(t, e, pw, "both.internal")
	r = must(t, e.step("certificate", "inspect", crt, "--short"))
	if !strings.Contains(r.stdout, "both.internal") {
		t.Fatalf("step inspect --short: %s", r)
	}
	must(t, e.step("certificate", "verify", crt, "--roots", root+","+e.pki("certs/intermediate_ca.crt")))
}

// TestStrideReadsStep: Stride reads a PKI made by the real `step ca init`.
func TestStrideReadsStep(t *testing.T) {
	e := newEnv(t)
	pw := e.write("pw", testPassword)
	must(t, e.step("ca", "init", "--name", "Step Made", "--dns", "localhost", "--address", "127.0.0.1:9777",
		"--provisioner", "admin@example.com", "--password-file", pw, "--provisioner-password-file", pw,
		"--deployment-type", "standalone", "--ssh", "--acme"))
	sp := func(rel string) string { return e.stepPath + "/" + rel }

	cfg, err := config.Load(sp("config/ca.json"))
	if err != nil {
		t.Fatalf("loading step's ca.json: %v", err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("step's ca.json does not validate: %v", err)
	}
	must(t, e.strideCA("--check", sp("config/ca.json")))
	if n := len(cfg.Authority.Provisioners); n != 3 {
		t.Fatalf("%d provisioners", n)
	}

	// Certificates: inspect, fingerprint (equal to step's own), verify.
	r := must(t, e.stride("certificate", "inspect", sp("certs/root_ca.crt")))
	if !strings.Contains(r.stdout, "Step Made Root CA") {
		t.Fatalf("inspect: %s", r)
	}
	want := strings.TrimSpace(must(t, e.step("certificate", "fingerprint", sp("certs/root_ca.crt"))).stdout)
	got := strings.TrimSpace(must(t, e.stride("certificate", "fingerprint", sp("certs/root_ca.crt"))).stdout)
	if got != want {
		t.Fatalf("fingerprint %s, step says %s", got, want)
	}
	must(t, e.stride("certificate", "verify", sp("certs/intermediate_ca.crt"), "--roots", sp("certs/root_ca.crt")))

	// Keys: step's legacy-encrypted intermediate key signs a leaf through stride.
	must(t, e.stride("certificate", "create", "from-step.internal", e.path("l.crt"), e.path("l.key"),
		"--ca", sp("certs/intermediate_ca.crt"), "--ca-key", sp("secrets/intermediate_ca_key"),
		"--ca-password-file", pw, "--no-password", "--insecure"))
	must(t, e.openssl("verify", "-CAfile", sp("certs/root_ca.crt"), "-untrusted", sp("certs/intermediate_ca.crt"), e.path("l.crt")))

	// The provisioner's encryptedKey written by step opens with stride.
	jwk, err := cfg.Authority.Provisioners[0].JWK()
	if err != nil {
		t.Fatal(err)
	}
	r = must(t, e.exec(binDir+"/stride", jwk.EncryptedKey, "crypto", "jwe", "decrypt", "--password-file", pw))
	if !strings.Contains(r.stdout, `"d"`) {
		t.Fatalf("decrypted: %s", r.stdout)
	}

	// A new stride PKI can reuse step's root (--root/--key with step's legacy key).
	must(t, e.stride("ca", "init", "--name", "On Step Root", "--dns", "localhost", "--address", ":9000",
		"--provisioner", "p", "--password-file", pw, "--root", sp("certs/root_ca.crt"), "--key", sp("secrets/root_ca_key"),
		"--key-password-file", pw))
	must(t, e.openssl("verify", "-CAfile", sp("certs/root_ca.crt"), e.pki("certs/intermediate_ca.crt")))
	if _, err := os.Stat(e.pki("config/ca.json")); err != nil {
		t.Fatal(err)
	}
}
