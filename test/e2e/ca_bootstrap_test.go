package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestCABootstrap: a client bootstraps trust from the fingerprint and reads
// the CA's public endpoints; curl trusts the served chain with only the root
// (the TLS handshake must send the intermediate) for the IP and the name.
func TestCABootstrap(t *testing.T) {
	t.Parallel()
	forEachCA(t, func(t *testing.T, ca *runningCA) {
		c := newEnv(t)
		r := must(t, c.step("ca", "bootstrap", "--ca-url", ca.URL, "--fingerprint", ca.Fingerprint))
		if !strings.Contains(r.stdout+r.stderr, "root_ca.crt") {
			t.Errorf("bootstrap did not report the root it wrote: %s", r)
		}
		var defaults map[string]string
		b, err := os.ReadFile(c.stepPath + "/config/defaults.json")
		if err != nil || json.Unmarshal(b, &defaults) != nil {
			t.Fatalf("defaults.json: %v %s", err, b)
		}
		if defaults["ca-url"] != ca.URL || defaults["fingerprint"] != ca.Fingerprint {
			t.Errorf("defaults.json: %s", b)
		}
		if readCert(t, c.stepPath+"/certs/root_ca.crt").Equal(readCert(t, ca.Root)) == false {
			t.Fatal("bootstrap wrote a different root")
		}
		// A wrong fingerprint is refused.
		bad := newEnv(t)
		r = bad.step("ca", "bootstrap", "--ca-url", ca.URL, "--fingerprint", strings.Repeat("0", 64))
		if r.code == 0 {
			t.Errorf("bootstrap with a wrong fingerprint succeeded: %s", r)
		}

		if r := must(t, c.step("ca", "health")); strings.TrimSpace(r.stdout) != "ok" {
			t.Errorf("step ca health: %s", r)
		}
		r = must(t, c.step("ca", "roots", c.path("roots.pem")))
		if certs := readCerts(t, c.path("roots.pem")); len(certs) != 1 || !certs[0].Equal(readCert(t, ca.Root)) {
			t.Errorf("step ca roots wrote %d certs", len(certs))
		}
		must(t, c.step("ca", "federation", c.path("federation.pem")))
		if certs := readCerts(t, c.path("federation.pem")); len(certs) != 1 || !certs[0].Equal(readCert(t, ca.Root)) {
			t.Errorf("step ca federation wrote %d certs", len(certs))
		}
		must(t, c.step("ca", "root", c.path("root.pem")))
		if !readCert(t, c.path("root.pem")).Equal(readCert(t, ca.Root)) {
			t.Error("step ca root wrote another certificate")
		}
		// The same with explicit flags instead of defaults.json.
		other := newEnv(t)
		must(t, other.step("ca", "health", "--ca-url", ca.URL, "--root", ca.Root))

		r = must(t, c.step("ca", "provisioner", "list"))
		var provs []map[string]any
		if err := json.Unmarshal([]byte(r.stdout), &provs); err != nil {
			t.Fatalf("provisioner list is not a JSON array: %v\n%s", err, r)
		}
		if len(provs) != 1 || provs[0]["name"] != provisionerName || provs[0]["type"] != "JWK" || provs[0]["encryptedKey"] == nil {
			t.Errorf("provisioner list: %s", r.stdout)
		}

		for _, host := range []string{"127.0.0.1", "localhost"} {
			url := fmt.Sprintf("https://%s:%d/health", host, ca.Port)
			r := must(t, c.exec("curl", "", "-sS", "--fail", "--max-time", "10", "--cacert", ca.Root, url))
			if strings.TrimSpace(r.stdout) != `{"status":"ok"}` {
				t.Errorf("curl %s: %s", url, r)
			}
		}
		// Without the root the chain is not trusted.
		if r := c.exec("curl", "", "-sS", "--max-time", "10", "--cacert", "/dev/null", ca.URL+"/health"); r.code == 0 {
			t.Errorf("curl trusted the CA without its root: %s", r)
		}
	})
}
