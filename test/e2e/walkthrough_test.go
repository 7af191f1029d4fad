package e2e

// The seed walkthrough of issue 5, as a user types it with `step` and
// `step-ca` replaced by `stride` and `stride-ca`: a PKI made by `stride ca
// init`, served by stride-ca, driven from a second $STRIDEPATH.

import (
	"crypto/x509"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// startStrideInitCA initialises a PKI with `stride ca init` (no --ssh) in a
// fresh $STRIDEPATH and starts `stride-ca CA_JSON --password-file F` on it.
// The returned CA's env is the CA's own $STRIDEPATH.
func startStrideInitCA(t *testing.T) *runningCA {
	t.Helper()
	e := newEnv(t)
	port := freePort(t)
	pw := e.write("password.txt", testPassword+"\n")
	r := must(t, e.stride("ca", "init", "--name", "Walkthrough", "--dns", "localhost", "--dns", "127.0.0.1",
		"--address", fmt.Sprintf("127.0.0.1:%d", port), "--provisioner", provisionerName, "--password-file", pw))
	srv := *e
	srv.stepPath = e.stridePath // start() hands the server STEPPATH and STRIDEPATH from stepPath
	ca := &runningCA{t: t, kind: strideCA, env: &srv, Port: port, URL: fmt.Sprintf("https://127.0.0.1:%d", port),
		Root: e.pki("certs/root_ca.crt"), CAConfig: e.pki("config/ca.json"), Password: pw,
		log: &lockedBuffer{}, exited: make(chan struct{})}
	ca.Fingerprint = strings.TrimSpace(must(t, e.stride("certificate", "fingerprint", ca.Root)).stdout)
	if ca.Fingerprint != ca.rootFingerprint() || !strings.Contains(r.stdout, ca.Fingerprint) {
		t.Fatalf("certificate fingerprint printed %q; the root's is %s; ca init said:\n%s", ca.Fingerprint, ca.rootFingerprint(), r)
	}
	ca.rootPool = x509.NewCertPool()
	ca.rootPool.AddCert(readCert(t, ca.Root))
	ca.start()
	return ca
}

func TestSeedWalkthrough(t *testing.T) {
	t.Parallel()
	ca := startStrideInitCA(t)
	c := newEnv(t)
	must(t, c.stride("ca", "bootstrap", "--ca-url", ca.URL, "--fingerprint", ca.Fingerprint))
	if r := must(t, c.stride("ca", "health")); r.stdout != "ok\n" {
		t.Fatalf("ca health printed %q", r.stdout)
	}

	must(t, c.stride("ca", "certificate", "localhost", "srv.crt", "srv.key", "--provisioner-password-file", ca.Password))
	ca.checkLeaf(t, c, c.path("srv.crt"), "localhost")

	must(t, c.stride("ca", "root", "root.crt"))
	if !readCert(t, c.path("root.crt")).Equal(readCert(t, ca.Root)) {
		t.Fatal("ca root wrote another certificate than the CA's root")
	}
	short := must(t, c.stride("certificate", "inspect", "srv.crt", "--short")).stdout
	for _, want := range []string{"X.509v3 TLS Certificate", "localhost", "Provisioner: " + provisionerName} {
		if !strings.Contains(strings.Join(strings.Fields(short), " "), want) {
			t.Errorf("inspect --short lacks %q:\n%s", want, short)
		}
	}

	must(t, c.stride("certificate", "create", "--csr", "foo.example.com", "foo.csr", "foo.key", "--no-password", "--insecure"))
	must(t, c.stride("ca", "sign", "foo.csr", "foo.crt", "--provisioner-password-file", ca.Password))
	first := ca.checkLeaf(t, c, c.path("foo.crt"), "foo.example.com")

	walkRenewRevoke(t, ca, c, first)
	walkProvisioners(t, ca, c)
}

// walkRenewRevoke renews foo.crt in place, revokes it, and checks that the
// revoked certificate no longer renews.
func walkRenewRevoke(t *testing.T, ca *runningCA, c *env, first *x509.Certificate) {
	t.Helper()
	must(t, c.stride("ca", "renew", "foo.crt", "foo.key", "--force"))
	renewed := ca.checkLeaf(t, c, c.path("foo.crt"), "foo.example.com")
	if renewed.SerialNumber.Cmp(first.SerialNumber) == 0 {
		t.Fatal("ca renew --force left foo.crt as it was")
	}
	must(t, c.stride("ca", "revoke", "--cert", "foo.crt", "--key", "foo.key"))
	if r := c.stride("ca", "renew", "foo.crt", "foo.key", "--force"); r.code == 0 {
		t.Fatal("a revoked certificate renewed")
	}
}

// walkProvisioners lists the provisioners, adds jim@example.com to the CA's
// ca.json, reloads the CA with SIGHUP and finds jim in the CA's list.
func walkProvisioners(t *testing.T, ca *runningCA, c *env) {
	t.Helper()
	names := func() []string {
		var list []struct{ Name, Type string }
		out := must(t, c.stride("ca", "provisioner", "list")).stdout
		if err := json.Unmarshal([]byte(out), &list); err != nil {
			t.Fatalf("ca provisioner list is not a JSON array: %v\n%s", err, out)
		}
		var n []string
		for _, p := range list {
			n = append(n, p.Name)
		}
		return n
	}
	if got := names(); !sameSet(got, []string{provisionerName}) {
		t.Fatalf("provisioners %v, want only %s", got, provisionerName)
	}
	jimPW := ca.env.write("jim-pw", "jim's password\n")
	r := must(t, ca.env.stride("ca", "provisioner", "add", "jim@example.com", "--create", "--password-file", jimPW))
	if !strings.Contains(r.stdout+r.stderr, "SIGHUP") {
		t.Errorf("provisioner add gave no hint to reload the CA: %s", r)
	}
	ca.sighup()
	if got := names(); !sameSet(got, []string{provisionerName, "jim@example.com"}) {
		t.Fatalf("provisioners after the reload %v, want %s and jim@example.com", got, provisionerName)
	}
	// jim's key works: a certificate through jim, chosen by name.
	must(t, c.stride("ca", "certificate", "jim.example.com", "jim.crt", "jim.key", "--provisioner", "jim@example.com",
		"--provisioner-password-file", jimPW))
	if _, err := os.Stat(filepath.Join(c.dir, "jim.crt")); err != nil {
		t.Fatal(err)
	}
}
