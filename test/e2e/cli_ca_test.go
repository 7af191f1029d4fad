package e2e

// `stride ca …` driving a running CA, against step-ca and stride-ca: the
// bootstrap, health, roots, token, sign and certificate commands, with the
// outputs compared to the step CLI's where both print the same thing.

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// strideClient is a fresh $STRIDEPATH bootstrapped to ca with `stride ca bootstrap`.
func strideClient(t *testing.T, ca *runningCA) *env {
	t.Helper()
	c := newEnv(t)
	must(t, c.stride("ca", "bootstrap", "--ca-url", ca.URL, "--fingerprint", ca.Fingerprint))
	return c
}

func TestCLIBootstrapHealthRoots(t *testing.T) {
	forEachCA(t, func(t *testing.T, ca *runningCA) {
		c := strideClient(t, ca)
		root := filepath.Join(c.stridePath, "certs", "root_ca.crt")
		if !readCert(t, root).Equal(readCert(t, ca.Root)) {
			t.Fatal("bootstrap saved a different root")
		}
		checkMode(t, root, 0o600)
		var d map[string]string
		b, _ := os.ReadFile(filepath.Join(c.stridePath, "config", "defaults.json"))
		if err := json.Unmarshal(b, &d); err != nil || d["ca-url"] != ca.URL || d["fingerprint"] != ca.Fingerprint || d["root"] != root {
			t.Fatalf("defaults.json %s (%v)", b, err)
		}
		if r := must(t, c.stride("ca", "health")); r.stdout != "ok\n" {
			t.Fatalf("ca health printed %q", r.stdout)
		}
		step := ca.client(t)
		for _, cmd := range []string{"roots", "federation"} {
			ours, theirs := must(t, c.stride("ca", cmd)), must(t, step.step("ca", cmd))
			if ours.stdout != theirs.stdout {
				t.Errorf("stride ca %s:\n%s\nstep ca %s:\n%s", cmd, ours.stdout, cmd, theirs.stdout)
			}
		}
		must(t, c.stride("ca", "root", "root.crt"))
		if !readCert(t, c.path("root.crt")).Equal(readCert(t, ca.Root)) {
			t.Fatal("ca root wrote a different root")
		}
		mustFail(t, c.stride("ca", "root", "root.crt"), "--force")
	})
}

func TestCLITokenSignCertificate(t *testing.T) {
	forEachCA(t, func(t *testing.T, ca *runningCA) {
		c := strideClient(t, ca)
		must(t, c.stride("certificate", "create", "--csr", "foo.example.com", "foo.csr", "foo.key", "--no-password", "--insecure"))
		tok := strings.TrimSpace(must(t, c.stride("ca", "token", "foo.example.com", "--password-file", ca.Password)).stdout)
		if strings.Count(tok, ".") != 2 || strings.Contains(tok, "\n") {
			t.Fatalf("ca token printed more than a token: %q", tok)
		}
		must(t, c.stride("ca", "sign", "foo.csr", "foo.crt", "--token", tok))
		ca.checkLeaf(t, c, c.path("foo.crt"), "foo.example.com")
		checkMode(t, c.path("foo.crt"), 0o600)

		// No --token: the only JWK provisioner is used without asking.
		must(t, c.stride("ca", "sign", "foo.csr", "foo2.crt", "--provisioner-password-file", ca.Password, "--not-after", "2h"))
		leaf := ca.checkLeaf(t, c, c.path("foo2.crt"), "foo.example.com")
		checkLifetime(t, leaf.NotAfter, 2*time.Hour)

		must(t, c.stride("ca", "certificate", "svc.example.com", "svc.crt", "svc.key", "--provisioner-password-file", ca.Password,
			"--san", "svc.example.com", "--san", "127.0.0.1", "--not-after", "1h"))
		leaf = ca.checkLeaf(t, c, c.path("svc.crt"), "svc.example.com", "127.0.0.1")
		checkLifetime(t, leaf.NotAfter, time.Hour)
		checkMode(t, c.path("svc.key"), 0o600)
		r := must(t, c.openssl("pkey", "-in", c.path("svc.key"), "-pubout"))
		r2 := must(t, c.openssl("x509", "-in", c.path("svc.crt"), "-noout", "-pubkey"))
		if r.stdout != r2.stdout {
			t.Error("svc.key is not the key of svc.crt")
		}
		mustFail(t, c.stride("ca", "certificate", "svc.example.com", "svc.crt", "svc.key", "--provisioner-password-file", ca.Password), "--force")
	})
}

// TestCLITokenOffline mints a token from ca.json alone and has the CA accept it.
func TestCLITokenOffline(t *testing.T) {
	forEachCA(t, func(t *testing.T, ca *runningCA) {
		c := strideClient(t, ca)
		tok := strings.TrimSpace(must(t, c.stride("ca", "token", "off.example.com", "--offline", "--ca-config", ca.CAConfig,
			"--password-file", ca.Password, "--output-file", "tok")).stdout)
		if tok != "" {
			t.Fatalf("--output-file still printed %q", tok)
		}
		b, err := os.ReadFile(c.path("tok"))
		if err != nil {
			t.Fatal(err)
		}
		must(t, c.stride("certificate", "create", "--csr", "off.example.com", "off.csr", "off.key", "--no-password", "--insecure"))
		must(t, c.stride("ca", "sign", "off.csr", "off.crt", "--token", strings.TrimSpace(string(b))))
		ca.checkLeaf(t, c, c.path("off.crt"), "off.example.com")
	})
}

func TestCLICABadInput(t *testing.T) {
	forEachCA(t, func(t *testing.T, ca *runningCA) {
		c := newEnv(t)
		t.Run("wrong fingerprint", func(t *testing.T) {
			r := c.stride("ca", "bootstrap", "--ca-url", ca.URL, "--fingerprint", strings.Repeat("0", 64))
			mustFail(t, r, "")
			if _, err := os.Stat(c.stridePath); !os.IsNotExist(err) {
				t.Fatalf("a refused bootstrap wrote %s (%v)", c.stridePath, err)
			}
		})
		t.Run("unreachable CA", func(t *testing.T) {
			dead := fmt.Sprintf("https://127.0.0.1:%d", freePort(t))
			start := time.Now()
			mustFail(t, c.stride("ca", "bootstrap", "--ca-url", dead, "--fingerprint", ca.Fingerprint), "cannot reach the CA")
			mustFail(t, c.stride("ca", "health", "--ca-url", dead, "--root", ca.Root), "cannot reach the CA")
			if d := time.Since(start); d > 20*time.Second {
				t.Fatalf("took %v to give up", d)
			}
		})
		cl := strideClient(t, ca)
		t.Run("wrong provisioner password", func(t *testing.T) {
			bad := cl.write("bad-pw", "not the password\n")
			mustFail(t, cl.stride("ca", "certificate", "x.example.com", "x.crt", "x.key", "--provisioner-password-file", bad), "password is wrong")
			for _, f := range []string{"x.crt", "x.key"} {
				if _, err := os.Stat(cl.path(f)); !os.IsNotExist(err) {
					t.Errorf("%s written after a refusal", f)
				}
			}
			mustFail(t, cl.stride("ca", "token", "x.example.com", "--password-file", bad), "password is wrong")
		})
		t.Run("unknown flag", func(t *testing.T) {
			for _, args := range [][]string{{"ca", "token", "x", "--bogus"}, {"ca", "bootstrap", "--nope"}, {"ca", "certificate", "a", "b"}} {
				if r := cl.stride(args...); r.code != 2 {
					t.Errorf("stride %v: exit %d, want 2: %s", args, r.code, r)
				}
			}
		})
		t.Run("no terminal, no password", func(t *testing.T) {
			mustFail(t, cl.stride("ca", "token", "x.example.com"), "--provisioner-password-file")
		})
	})
}

func checkMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != want {
		t.Errorf("%s has mode %v, want %v", path, st.Mode().Perm(), want)
	}
}

// checkLifetime checks that notAfter is d from now, within a few minutes.
func checkLifetime(t *testing.T, notAfter time.Time, d time.Duration) {
	t.Helper()
	if got := time.Until(notAfter); got < d-3*time.Minute || got > d+time.Minute {
		t.Errorf("certificate ends in %v, want about %v", got.Round(time.Second), d)
	}
}
