package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"

	"github.com/stride-pki/stride/internal/truststore"
)

// The machine's trust store (Debian layout: the tests run as root on a
// throwaway Debian machine).
const (
	anchorsDir  = "/usr/local/share/ca-certificates"
	certsDir    = "/etc/ssl/certs"
	systemCerts = "/etc/ssl/certs/ca-certificates.crt"
)

// trustSnapshot is the state of the system trust store: the anchors, the
// entries of /etc/ssl/certs (symlinks with their targets) and the bundle.
func trustSnapshot(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	for _, dir := range []string{anchorsDir, certsDir} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatalf("reading %s: %v", dir, err)
		}
		var lines []string
		for _, e := range entries {
			p := filepath.Join(dir, e.Name())
			if target, err := os.Readlink(p); err == nil {
				lines = append(lines, p+" -> "+target)
			} else {
				lines = append(lines, p)
			}
		}
		sort.Strings(lines)
		b.WriteString(strings.Join(lines, "\n") + "\n")
	}
	data, err := os.ReadFile(systemCerts)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	fmt.Fprintf(&b, "%s sha256 %s\n", systemCerts, hex.EncodeToString(sum[:]))
	return b.String()
}

// guardTrustStore serialises tests (and test processes) that change the
// system trust store, and restores it when t ends, whatever happened: every
// anchor holding root is removed and, if the store then differs from its
// state now, it is rebuilt with update-ca-certificates --fresh.
func guardTrustStore(t *testing.T, rootPath string) (before string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Fatal("this test changes the system trust store and must run as root (on a throwaway machine)")
	}
	lock, err := os.OpenFile(filepath.Join(os.TempDir(), "stride-e2e-truststore.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lock.Close() }) // runs last: releases the lock
	before = trustSnapshot(t)
	root := readCert(t, rootPath)
	t.Cleanup(func() {
		entries, _ := os.ReadDir(anchorsDir)
		for _, e := range entries {
			p := filepath.Join(anchorsDir, e.Name())
			if holdsCertPEM(p, root.Raw) {
				t.Logf("cleanup: removing %s", p)
				os.Remove(p)
			}
		}
		if trustSnapshot(t) == before {
			return
		}
		out, err := execOut("update-ca-certificates", "--fresh")
		if err != nil {
			t.Errorf("cleanup: update-ca-certificates --fresh: %v\n%s", err, out)
		}
		if after := trustSnapshot(t); after != before {
			t.Errorf("cleanup could not restore the system trust store:\n%s", snapshotDiff(before, after))
		}
	})
	return before
}

func holdsCertPEM(path string, der []byte) bool {
	b, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	for _, c := range readCertsQuiet(b) {
		if string(c) == string(der) {
			return true
		}
	}
	return false
}

// systemTrusts reports whether openssl, with only the system store, trusts
// the certificate at path: through the hashed directory and the bundle.
func systemTrusts(t *testing.T, e *env, path string) (dir, bundle bool) {
	t.Helper()
	dir = e.openssl("verify", "-no-CAfile", "-CApath", certsDir, path).code == 0
	bundle = e.openssl("verify", "-no-CApath", "-CAfile", systemCerts, path).code == 0
	return dir, bundle
}

// TestCABootstrapInstall (issue 5): `stride ca bootstrap --install` from a
// fresh $STRIDEPATH puts the CA's root in the machine's trust store: openssl
// (hashed directory and bundle) and curl, with no --cacert, trust the CA;
// `stride certificate uninstall` takes it out again and leaves the store as
// it was (no dangling links, same bundle). `step ca bootstrap --install`
// behaves alike (exit 0, says it installed into the system trust store), and
// stride's uninstall removes step's anchor too. The store is restored on
// cleanup whatever happens.
func TestCABootstrapInstall(t *testing.T) {
	t.Parallel()
	forEachCA(t, func(t *testing.T, ca *runningCA) {
		before := guardTrustStore(t, ca.Root)
		c := newEnv(t)
		health := func() result {
			return c.exec("curl", "", "-sS", "--fail", "--max-time", "10", ca.URL+"/health")
		}
		if dir, bundle := systemTrusts(t, c, ca.Root); dir || bundle {
			t.Fatalf("the system trusts the fresh root before any install (dir %v, bundle %v)", dir, bundle)
		}
		if r := health(); r.code == 0 {
			t.Fatalf("curl trusts the CA before any install: %s", r)
		}

		r := must(t, c.stride("ca", "bootstrap", "--ca-url", ca.URL, "--fingerprint", ca.Fingerprint, "--install"))
		t.Logf("stride ca bootstrap --install:\n%s", r.stderr)
		root := readCert(t, ca.Root)
		anchor := filepath.Join(anchorsDir, truststore.FileName(root, "")+".crt")
		if !holdsCertPEM(anchor, root.Raw) {
			t.Errorf("%s does not hold the root", anchor)
		}
		if !strings.Contains(strings.ToLower(r.stderr), "system trust") || !strings.Contains(r.stderr, anchor) {
			t.Errorf("bootstrap --install does not say where the root went: %s", r)
		}
		if !readCert(t, filepath.Join(c.stridePath, "certs", "root_ca.crt")).Equal(root) {
			t.Error("bootstrap saved another root")
		}
		if dir, bundle := systemTrusts(t, c, ca.Root); !dir || !bundle {
			t.Errorf("after install openssl trusts the root: dir %v, bundle %v", dir, bundle)
		}
		if r := health(); r.code != 0 || strings.TrimSpace(r.stdout) != `{"status":"ok"}` {
			t.Errorf("curl with the system store after install: %s", r)
		}

		r = must(t, c.stride("certificate", "uninstall", ca.Root))
		if !strings.Contains(r.stderr, anchor) {
			t.Errorf("uninstall does not name the file it removed: %s", r)
		}
		if dir, bundle := systemTrusts(t, c, ca.Root); dir || bundle {
			t.Errorf("after uninstall openssl still trusts the root: dir %v, bundle %v", dir, bundle)
		}
		if r := health(); r.code == 0 {
			t.Errorf("curl still trusts the CA after uninstall: %s", r)
		}
		if after := trustSnapshot(t); after != before {
			t.Errorf("uninstall left the trust store changed:\n%s", snapshotDiff(before, after))
		}
		// Uninstalling what is not installed fails.
		mustFail(t, c.stride("certificate", "uninstall", ca.Root), "not installed")

		// step does the same: exit 0, a word on the system trust store, and
		// the root trusted; stride's uninstall finds step's anchor by content.
		s := newEnv(t)
		r = must(t, s.step("ca", "bootstrap", "--ca-url", ca.URL, "--fingerprint", ca.Fingerprint, "--install"))
		t.Logf("step ca bootstrap --install:\n%s", r.stderr)
		if !strings.Contains(strings.ToLower(r.stdout+r.stderr), "system truststore") {
			t.Errorf("step ca bootstrap --install says: %s", r)
		}
		if dir, bundle := systemTrusts(t, s, ca.Root); !dir || !bundle {
			t.Errorf("after step's install openssl trusts the root: dir %v, bundle %v", dir, bundle)
		}
		must(t, c.stride("certificate", "uninstall", ca.Root))
		if dir, bundle := systemTrusts(t, c, ca.Root); dir || bundle {
			t.Errorf("after uninstalling step's anchor openssl still trusts the root: dir %v, bundle %v", dir, bundle)
		}
		if after := trustSnapshot(t); after != before {
			t.Errorf("uninstalling step's anchor left the trust store changed:\n%s", snapshotDiff(before, after))
		}
	})
}

// readCertsQuiet returns the DER of every CERTIFICATE block of PEM data.
func readCertsQuiet(data []byte) [][]byte {
	var out [][]byte
	for {
		var blk *pem.Block
		if blk, data = pem.Decode(data); blk == nil {
			return out
		}
		if blk.Type == "CERTIFICATE" {
			out = append(out, blk.Bytes)
		}
	}
}

func execOut(name string, args ...string) (string, error) {
	out, err := exec.Command(name, args...).CombinedOutput()
	return string(out), err
}

// snapshotDiff lists the lines only in before (-) and only in after (+).
func snapshotDiff(before, after string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			m[l] = true
		}
		return m
	}
	b, a := in(before), in(after)
	var out []string
	for _, l := range strings.Split(before, "\n") {
		if !a[l] {
			out = append(out, "- "+l)
		}
	}
	for _, l := range strings.Split(after, "\n") {
		if !b[l] {
			out = append(out, "+ "+l)
		}
	}
	return strings.Join(out, "\n")
}
