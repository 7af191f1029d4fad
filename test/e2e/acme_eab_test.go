package e2e

import (
	"encoding/json"
	"strings"
	"testing"
)

// noEABKeys: step-ca's open-source edition cannot make EAB keys (its admin
// API answers 501), so no client can register with a binding there.
const noEABKeys = "step-ca's open-source edition makes no EAB keys (its admin API answers 501)"

// eabKey is a key as `stride ca acme eab add --format json` prints it.
type eabKey struct {
	ID          string          `json:"id"`
	HMACKey     string          `json:"hmacKey"`
	Reference   string          `json:"reference"`
	Account     string          `json:"account"`
	BoundAt     *string         `json:"boundAt"`
	Policy      json.RawMessage `json:"policy"`
	Provisioner string          `json:"provisioner"`
}

// addEABKey makes a key for the ACME provisioner with `stride ca acme eab
// add`, offline, before the CA holds its bbolt file.
func addEABKey(t *testing.T, ca *runningCA, reference string, flags ...string) eabKey {
	t.Helper()
	args := append([]string{"ca", "acme", "eab", "add", acmeProvisioner, reference, "--ca-config", ca.CAConfig, "--format", "json"}, flags...)
	r := must(t, ca.env.stride(args...))
	var k eabKey
	if err := json.Unmarshal([]byte(r.stdout), &k); err != nil || k.ID == "" || k.HMACKey == "" {
		t.Fatalf("eab add: %v\n%s", err, r)
	}
	return k
}

// TestACMEEAB: a provisioner with requireEAB and keys made by `stride ca
// acme eab add`. certbot is refused an account without a binding, registers
// with its key and gets a certificate; a second account with the same key
// is refused. lego registers with its key (--eab --kid --hmac) and gets a
// certificate for a name the key's policy allows, and is refused one
// outside it. `stride ca acme eab list` is refused while stride-ca holds the
// database, and once it stopped shows both keys bound.
func TestACMEEAB(t *testing.T) {
	t.Parallel()
	var certbotKey, legoKey eabKey
	opts := acmeOptions{strideOnly: noEABKeys, provisioner: map[string]any{"requireEAB": true},
		setup: func(t *testing.T, ca *runningCA) {
			certbotKey = addEABKey(t, ca, "certbot")
			legoKey = addEABKey(t, ca, "lego", "--allow-dns", "*.team.example.test")
		}}
	forEachACME(t, opts, func(t *testing.T, a *acmeCA) {
		e := newEnv(t)
		cb := certbot{a, e, e.path("cb")}
		r := cb.run(t, "register", "--agree-tos", "--register-unsafely-without-email")
		out := strings.ToLower(failedRun(t, "register without a binding", r))
		if !strings.Contains(out, "externalaccountrequired") && !strings.Contains(out, "external account binding") {
			t.Errorf("register without a binding: want externalAccountRequired: %s", r)
		}
		bind := []string{"register", "--agree-tos", "--register-unsafely-without-email",
			"--eab-kid", certbotKey.ID, "--eab-hmac-key=" + certbotKey.HMACKey}
		mustRun(t, "register with a binding", cb.run(t, bind...))
		mustRun(t, "http-01", cb.standalone(t, "eab", "eab.example.test"))
		a.issuedLeaf(t, e, cb.live("eab", "fullchain.pem"), "eab.example.test")
		again := certbot{a, e, e.path("cb-again")}
		r = again.run(t, bind...)
		failedRun(t, "a second account with a bound key", r)
		wantOutput(t, "a second account with a bound key", r, "urn:ietf:params:acme:error:unauthorized")

		l := lego{a, e, e.path("lego")}
		eab := []string{"--eab", "--kid", legoKey.ID, "--hmac=" + legoKey.HMACKey}
		mustRun(t, "lego with a binding", l.http01(t, a.HTTPPort, append(eab, "-d", "a.team.example.test", "run")...))
		a.issuedLeaf(t, e, l.crt("a.team.example.test"), "a.team.example.test")
		r = l.http01(t, a.HTTPPort, append(eab, "-d", "outside.example.test", "run")...)
		failedRun(t, "a name outside the key's policy", r)
		wantOutput(t, "a name outside the key's policy", r, "urn:ietf:params:acme:error:rejectedIdentifier")

		list := []string{"ca", "acme", "eab", "list", acmeProvisioner, "--ca-config", a.CAConfig, "--format", "json"}
		r = a.env.stride(list...)
		failedRun(t, "eab list while stride-ca runs", r)
		wantOutput(t, "eab list while stride-ca runs", r, "stop stride-ca")
		a.stop()
		var keys []eabKey
		if err := json.Unmarshal([]byte(must(t, a.env.stride(list...)).stdout), &keys); err != nil || len(keys) != 2 {
			t.Fatalf("eab list: %v, %d keys", err, len(keys))
		}
		for _, k := range keys {
			if k.Account == "" || k.BoundAt == nil || k.HMACKey != "" {
				t.Errorf("key %s (%s): want bound to an account, and no HMAC key shown: %+v", k.ID, k.Reference, k)
			}
		}
	})
}
