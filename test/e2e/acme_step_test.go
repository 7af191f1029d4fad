package e2e

import (
	"regexp"
	"testing"
	"time"
)

// TestACMEStepCLI uses the step CLI as an ACME client (`step ca certificate
// --acme DIR --standalone`, its own http-01 server) against each CA: one
// name, then two names in one order (two authorizations answered by the same
// listener), one through the /2.0/acme/… directory, then a name the policy
// denies. The provisioner's claims give
// the certificates two hours. Then the provisioner is reloaded (SIGHUP) with
// dns-01 as its only challenge: step, which answers http-01 only, is refused.
func TestACMEStepCLI(t *testing.T) {
	t.Parallel()
	claims := map[string]any{"claims": map[string]any{"defaultTLSCertDuration": "2h"}}
	forEachACME(t, acmeOptions{setup: acmePolicy, provisioner: claims}, func(t *testing.T, a *acmeCA) {
		e := newEnv(t)
		get := func(name, crt, key string, more ...string) result {
			t.Helper()
			defer a.holdPorts()()
			args := append([]string{"ca", "certificate", name, e.path(crt), e.path(key), "--acme", a.Dir, "--root", a.Root,
				"--standalone", "--http-listen", "127.0.0.1:" + port(a.HTTPPort), "--kty", "EC", "--curve", "P-256"}, more...)
			return a.run(t, e, nil, toolsDir+"/step", args...)
		}
		mustRun(t, "step ca certificate --acme", get("s.example.test", "s.crt", "s.key"))
		if leaf := a.issuedLeafCert(t, e, e.path("s.crt"), "s.example.test"); time.Until(leaf.NotAfter) > 2*time.Hour ||
			time.Until(leaf.NotAfter) < 2*time.Hour-time.Minute {
			t.Errorf("defaultTLSCertDuration 2h: the certificate ends %v", leaf.NotAfter)
		}

		mustRun(t, "two names", get("t.example.test", "t.crt", "t.key", "--san", "t.example.test", "--san", "u.example.test"))
		a.issuedLeaf(t, e, e.path("t.crt"), "t.example.test", "u.example.test")

		// step-ca also serves ACME under /2.0/acme/…, its links included.
		dir := a.Dir
		a.Dir = a.URL + "/2.0/acme/" + acmeProvisioner + "/directory"
		mustRun(t, "/2.0/acme/…", get("two.example.test", "two.crt", "two.key"))
		a.Dir = dir
		a.issuedLeaf(t, e, e.path("two.crt"), "two.example.test")

		r := get(deniedName, "d.crt", "d.key")
		failedRun(t, "step ca certificate "+deniedName, r)
		// step prints the problem's detail only, not its type.
		if !regexp.MustCompile(`error creating new ACME order: \S`).MatchString(r.stderr) {
			t.Errorf("step ca certificate %s: want the new-order problem's detail: %s", deniedName, r)
		}

		a.editConfig(func(cfg map[string]any) {
			for _, p := range cfg["authority"].(map[string]any)["provisioners"].([]any) {
				if p := p.(map[string]any); p["name"] == acmeProvisioner {
					p["challenges"] = []string{"dns-01"}
				}
			}
		})
		a.sighup()
		r = get("v.example.test", "v.crt", "v.key")
		failedRun(t, "step ca certificate after dropping http-01", r)
		// step finds no challenge it can answer among those offered.
		wantOutput(t, "step ca certificate after dropping http-01", r, "unable to validate any challenges for identifier: v.example.test")
	})
}
