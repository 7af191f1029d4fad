package e2e

// Issue 5's bad input that TestCLICABadInput does not cover: exit codes of
// usage errors on every client command, prompts that need a terminal, a
// wrong fingerprint on `ca root`, an unreachable CA on every command that
// talks to one, and a wrong password on `ca sign`.

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// usageFail checks a usage error: exit 2, one line naming want.
func usageFail(t *testing.T, r result, want string) {
	t.Helper()
	mustFail(t, r, want)
	if r.code != 2 {
		t.Errorf("exit %d, want 2 (usage): %s", r.code, r)
	}
}

func TestCLIUsageAndFailures(t *testing.T) {
	forEachCA(t, func(t *testing.T, ca *runningCA) {
		c := strideClient(t, ca)
		must(t, c.stride("certificate", "create", "--csr", "foo.example.com", "foo.csr", "foo.key", "--no-password", "--insecure"))
		t.Run("no terminal, no password", func(t *testing.T) {
			usageFail(t, c.stride("ca", "certificate", "x.example.com", "x.crt", "x.key"), "--provisioner-password-file")
			usageFail(t, c.stride("ca", "sign", "foo.csr", "foo.crt"), "--provisioner-password-file")
			usageFail(t, c.stride("ca", "token", "x.example.com"), "--provisioner-password-file")
			for _, f := range []string{"x.crt", "x.key", "foo.crt"} {
				if _, err := os.Stat(c.path(f)); !os.IsNotExist(err) {
					t.Errorf("%s written after a refusal", f)
				}
			}
		})
		t.Run("unknown flag or command", func(t *testing.T) {
			for _, args := range [][]string{
				{"ca", "health", "--bogus"}, {"ca", "roots", "--bogus"}, {"ca", "sign", "foo.csr", "foo.crt", "--bogus"},
				{"ca", "certificate", "x", "x.crt", "x.key", "--bogus"}, {"ca", "provisioner", "list", "--bogus"},
				{"completion", "bash", "--bogus"}, {"ca", "nosuchcommand"}, {"ca", "health", "--format", "yaml"},
			} {
				r := c.stride(args...)
				if r.code != 2 || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
					t.Errorf("stride %v: exit %d, want 2 with one line: %s", args, r.code, r)
				}
			}
		})
		t.Run("wrong fingerprint on ca root", func(t *testing.T) {
			mustFail(t, c.stride("ca", "root", "other.crt", "--fingerprint", strings.Repeat("ab", 32)), "")
			if _, err := os.Stat(c.path("other.crt")); !os.IsNotExist(err) {
				t.Error("other.crt written for an unknown fingerprint")
			}
		})
		t.Run("wrong provisioner password on ca sign", func(t *testing.T) {
			bad := c.write("bad-pw", "not the password\n")
			mustFail(t, c.stride("ca", "sign", "foo.csr", "foo.crt", "--provisioner-password-file", bad), "password is wrong")
			if _, err := os.Stat(c.path("foo.crt")); !os.IsNotExist(err) {
				t.Error("foo.crt written after a refusal")
			}
		})
		t.Run("unreachable CA", func(t *testing.T) {
			dead := []string{"--ca-url", fmt.Sprintf("https://127.0.0.1:%d", freePort(t)), "--root", ca.Root}
			for _, args := range [][]string{
				{"ca", "roots"}, {"ca", "federation"}, {"ca", "root", "--fingerprint", ca.Fingerprint},
				{"ca", "token", "x.example.com", "--password-file", ca.Password},
				{"ca", "certificate", "y.example.com", "y.crt", "y.key", "--provisioner-password-file", ca.Password},
			} {
				start := time.Now()
				r := c.stride(append(args, dead...)...)
				mustFail(t, r, "cannot reach the CA")
				if r.code != 1 {
					t.Errorf("stride %v: exit %d, want 1", args, r.code)
				}
				if d := time.Since(start); d > 20*time.Second {
					t.Errorf("stride %v took %v to give up", args, d)
				}
			}
		})
	})
}
