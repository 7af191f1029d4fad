package e2e

import (
	"regexp"
	"testing"
)

// TestACMEStepCLI uses the step CLI as an ACME client (`step ca certificate
// --acme DIR --standalone`, its own http-01 server) against each CA: one
// name, then two names in one order (two authorizations answered by the same
// listener), then a name the policy denies.
func TestACMEStepCLI(t *testing.T) {
	t.Parallel()
	forEachACME(t, acmeOptions{setup: acmePolicy}, func(t *testing.T, a *acmeCA) {
		e := newEnv(t)
		get := func(name, crt, key string, more ...string) result {
			t.Helper()
			defer a.holdPorts()()
			args := append([]string{"ca", "certificate", name, e.path(crt), e.path(key), "--acme", a.Dir, "--root", a.Root,
				"--standalone", "--http-listen", "127.0.0.1:" + port(a.HTTPPort), "--kty", "EC", "--curve", "P-256"}, more...)
			return a.run(t, e, nil, toolsDir+"/step", args...)
		}
		mustRun(t, "step ca certificate --acme", get("s.example.test", "s.crt", "s.key"))
		a.issuedLeaf(t, e, e.path("s.crt"), "s.example.test")

		mustRun(t, "two names", get("t.example.test", "t.crt", "t.key", "--san", "t.example.test", "--san", "u.example.test"))
		a.issuedLeaf(t, e, e.path("t.crt"), "t.example.test", "u.example.test")

		r := get(deniedName, "d.crt", "d.key")
		failedRun(t, "step ca certificate "+deniedName, r)
		// step prints the problem's detail only, not its type.
		if !regexp.MustCompile(`error creating new ACME order: \S`).MatchString(r.stderr) {
			t.Errorf("step ca certificate %s: want the new-order problem's detail: %s", deniedName, r)
		}
	})
}
