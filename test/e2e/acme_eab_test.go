package e2e

import (
	"encoding/json"
	"testing"
)

// eabKey is a key `stride ca acme eab add --format json` made.
type eabKey struct {
	ID      string `json:"id"`
	HMACKey string `json:"hmacKey"`
}

// addEAB makes an external account key for the ACME provisioner (offline:
// the CA must not be running on bbolt).
func addEAB(t *testing.T, ca *runningCA, reference string, policy ...string) eabKey {
	t.Helper()
	args := append([]string{"ca", "acme", "eab", "add", acmeProvisioner, reference, "--ca-config", ca.CAConfig, "--format", "json"}, policy...)
	r := must(t, ca.env.stride(args...))
	var k eabKey
	if err := json.Unmarshal([]byte(r.stdout), &k); err != nil || k.ID == "" || k.HMACKey == "" {
		t.Fatalf("eab add: want {id, hmacKey}: %v\n%s", err, r)
	}
	return k
}

// TestACMEEAB: a provisioner with requireEAB refuses certbot's account
// without a binding (externalAccountRequired) and accepts certbot's
// (--eab-kid/--eab-hmac-key) and lego's (--eab --kid --hmac) with keys made by
// `stride ca acme eab add`; a key binds one account only; a key's name
// policy limits what its account may order (rejectedIdentifier).
func TestACMEEAB(t *testing.T) {
	t.Parallel()
	var certbotKey, legoKey, teamKey eabKey
	opts := acmeOptions{
		strideOnly:  "step-ca's open-source edition cannot make EAB keys",
		provisioner: map[string]any{"requireEAB": true},
		setup: func(t *testing.T, ca *runningCA) {
			certbotKey = addEAB(t, ca, "certbot")
			legoKey = addEAB(t, ca, "lego")
			teamKey = addEAB(t, ca, "team", "--allow-dns", "*.team.example.test")
		},
	}
	forEachACME(t, opts, func(t *testing.T, a *acmeCA) {
		e := newEnv(t)
		cb := certbot{a, e, e.path("cb")}

		// certbot and lego read meta.externalAccountRequired and refuse to
		// register without a binding themselves; the step CLI just asks.
		r := cb.run(t, "register", "--agree-tos", "--register-unsafely-without-email")
		failedRun(t, "certbot register without EAB", r)
		wantOutput(t, "certbot register without EAB", r, "Server requires external account binding")
		r = func() result {
			defer a.holdPorts()()
			return a.run(t, e, nil, toolsDir+"/step", "ca", "certificate", "n.example.test", e.path("n.crt"), e.path("n.key"),
				"--acme", a.Dir, "--root", a.Root, "--standalone", "--http-listen", "127.0.0.1:"+port(a.HTTPPort))
		}()
		t.Logf("step: %s", failedRun(t, "step: an account without EAB", r))
		wantOutput(t, "step: an account without EAB", r, "external account")

		mustRun(t, "certbot register with EAB", cb.run(t, "register", "--agree-tos", "--register-unsafely-without-email",
			"--eab-kid", certbotKey.ID, "--eab-hmac-key", certbotKey.HMACKey))
		mustRun(t, "certbot certonly", cb.standalone(t, "e1", "e1.example.test"))
		a.issuedLeaf(t, e, cb.live("e1", "fullchain.pem"), "e1.example.test")

		// certbot's key is bound: lego cannot register with it.
		bound := lego{a: a, e: e, dir: e.path("lego"), email: "bound@example.test"}
		r = bound.http01(t, a.HTTPPort, "--eab", "--kid", certbotKey.ID, "--hmac", certbotKey.HMACKey, "-d", "e3.example.test", "run")
		failedRun(t, "lego register with a bound key", r)
		wantOutput(t, "lego register with a bound key", r, "urn:ietf:params:acme:error:unauthorized")

		l := lego{a: a, e: e, dir: e.path("lego")}
		mustRun(t, "lego run with EAB", l.http01(t, a.HTTPPort, "--eab", "--kid", legoKey.ID, "--hmac", legoKey.HMACKey,
			"-d", "e2.example.test", "run"))
		a.issuedLeaf(t, e, l.crt("e2.example.test"), "e2.example.test")

		// The team key's account may order *.team.example.test names only.
		team := lego{a: a, e: e, dir: e.path("lego"), email: "team@example.test"}
		mustRun(t, "lego run in the team's names", team.http01(t, a.HTTPPort, "--eab", "--kid", teamKey.ID, "--hmac", teamKey.HMACKey,
			"-d", "x.team.example.test", "run"))
		a.issuedLeaf(t, e, team.crt("x.team.example.test"), "x.team.example.test")
		// (lego wants --eab whenever the directory requires it, even for its existing account.)
		r = team.http01(t, a.HTTPPort, "--eab", "--kid", teamKey.ID, "--hmac", teamKey.HMACKey, "-d", "other.example.test", "run")
		failedRun(t, "lego run outside the team's names", r)
		wantOutput(t, "lego run outside the team's names", r, "urn:ietf:params:acme:error:rejectedIdentifier")
	})
}
