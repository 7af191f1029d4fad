package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestOfflineTokenLikeStep (issue 5): `stride ca token --offline --ca-config`
// puts in aud what `step ca token --offline --ca-config` does for the same
// ca.json and flags (https://<first dnsName>/<path>, no /1.0, no port, the
// bootstrapped --ca-url ignored), for sign and revoke tokens; the real step
// CLI then gets a certificate with a stride offline sign token and revokes
// it with a stride offline revoke token, on step-ca and on stride-ca.
func TestOfflineTokenLikeStep(t *testing.T) {
	t.Parallel()
	forEachCA(t, func(t *testing.T, ca *runningCA) {
		c := newEnv(t)
		// Both clients bootstrapped: defaults.json gives each a ca-url
		// (with the port), which offline tokens do not use.
		must(t, c.stride("ca", "bootstrap", "--ca-url", ca.URL, "--fingerprint", ca.Fingerprint))
		must(t, c.step("ca", "bootstrap", "--ca-url", ca.URL, "--fingerprint", ca.Fingerprint))
		// step's offline mode opens the CA's database, which the running
		// server holds: step reads a copy of ca.json without it.
		noDBPath := caConfigWithoutDB(t, c, ca)

		offline := func(tool func(...string) result, config string, args ...string) map[string]any {
			t.Helper()
			args = append(append([]string{"ca", "token"}, args...), "--offline", "--ca-config", config,
				"--provisioner", provisionerName, "--provisioner-password-file", ca.Password, "--password-file", ca.Password)
			return tokenClaims(t, must(t, tool(args...)).stdout)
		}
		for _, args := range [][]string{{"off.example.com"}, {"off.example.com", "--san", "off.example.com", "--san", "127.0.0.1"}, {"12345", "--revoke"}} {
			ours := offline(c.stride, ca.CAConfig, args...)
			theirs := offline(c.step, noDBPath, args...)
			name := strings.Join(args, " ")
			want := "https://localhost/sign"
			if strings.Contains(name, "--revoke") {
				want = "https://localhost/revoke"
			}
			if ours["aud"] != want || theirs["aud"] != want {
				t.Errorf("%s: aud %v, step's %v, want %s", name, ours["aud"], theirs["aud"], want)
			}
			for _, k := range []string{"iss", "sub", "sha", "sans"} {
				if fmt.Sprint(ours[k]) != fmt.Sprint(theirs[k]) {
					t.Errorf("%s: %s %v, step's %v", name, k, ours[k], theirs[k])
				}
			}
		}

		// The CA accepts stride's offline tokens from the real step CLI.
		tok := strings.TrimSpace(must(t, c.stride("ca", "token", "off.example.com", "--offline", "--ca-config", ca.CAConfig,
			"--provisioner-password-file", ca.Password)).stdout)
		must(t, c.stride("certificate", "create", "--csr", "off.example.com", "off.csr", "off.key", "--no-password", "--insecure"))
		must(t, c.step("ca", "sign", c.path("off.csr"), c.path("off.crt"), "--token", tok))
		leaf := ca.checkLeaf(t, c, c.path("off.crt"), "off.example.com")
		serial := leaf.SerialNumber.String()
		tok = strings.TrimSpace(must(t, c.stride("ca", "token", serial, "--revoke", "--offline", "--ca-config", ca.CAConfig,
			"--provisioner-password-file", ca.Password)).stdout)
		r := must(t, c.step("ca", "revoke", serial, "--token", tok))
		if !strings.Contains(r.stdout+r.stderr, "has been revoked") {
			t.Errorf("step ca revoke: %s", r)
		}
		// The revocation was recorded: a second one is refused.
		tok = strings.TrimSpace(must(t, c.stride("ca", "token", serial, "--revoke", "--offline", "--ca-config", ca.CAConfig,
			"--provisioner-password-file", ca.Password)).stdout)
		refused(t, c.step("ca", "revoke", serial, "--token", tok), "revoked")
	})
}

// caConfigWithoutDB writes a copy of ca's ca.json without "db" into e: step's
// offline mode opens the database, which the running server holds.
func caConfigWithoutDB(t *testing.T, e *env, ca *runningCA) string {
	t.Helper()
	b, err := os.ReadFile(ca.CAConfig)
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	if err := json.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	delete(cfg, "db")
	b, _ = json.Marshal(cfg)
	return e.write("ca-nodb.json", string(b))
}
