package e2e

import (
	"crypto/x509"
	"testing"
	"time"
)

// noProfiles: step-ca serves no ACME profiles (draft-aaron-acme-profiles).
const noProfiles = "step-ca has no ACME profiles"

// TestACMEProfiles: lego's --profile picks a profile the directory offers;
// the certificate gets the profile's validity and template (serverAuth
// only), an order without one gets the default profile, and a name the
// directory does not offer is invalidProfile.
func TestACMEProfiles(t *testing.T) {
	t.Parallel()
	serverOnly := `{"subject":{{ toJson .Subject }},"sans":{{ toJson .SANs }},` +
		`"keyUsage":["digitalSignature"],"extKeyUsage":["serverAuth"]}`
	opts := acmeOptions{strideOnly: noProfiles, provisioner: map[string]any{
		"profiles": map[string]any{
			"classic":    map[string]any{"description": "the provisioner's template, 24 hours"},
			"shortlived": map[string]any{"description": "2 hours, serverAuth only", "duration": "2h", "template": serverOnly},
		},
		"defaultProfile": "classic",
	}}
	forEachACME(t, opts, func(t *testing.T, a *acmeCA) {
		e := newEnv(t)
		l := lego{a: a, e: e, dir: e.path("lego")}

		mustRun(t, "--profile shortlived", l.http01(t, a.HTTPPort, "-d", "short.example.test", "run", "--profile", "shortlived"))
		a.issuedLeaf(t, e, l.crt("short.example.test"), "short.example.test")
		short := readCert(t, l.crt("short.example.test"))
		if life := short.NotAfter.Sub(short.NotBefore); life < 2*time.Hour || life > 2*time.Hour+2*time.Minute {
			t.Errorf("shortlived: lifetime %v, want 2 h (and the backdate)", life)
		}
		if len(short.ExtKeyUsage) != 1 || short.ExtKeyUsage[0] != x509.ExtKeyUsageServerAuth {
			t.Errorf("shortlived: extended key usage %v, want serverAuth only", short.ExtKeyUsage)
		}

		mustRun(t, "the default profile", l.http01(t, a.HTTPPort, "-d", "default.example.test", "run"))
		a.issuedLeaf(t, e, l.crt("default.example.test"), "default.example.test")
		def := readCert(t, l.crt("default.example.test"))
		if life := def.NotAfter.Sub(def.NotBefore); life < 24*time.Hour || len(def.ExtKeyUsage) != 2 {
			t.Errorf("classic: lifetime %v, EKU %v; want the provisioner's 24 h leaf with serverAuth and clientAuth", life, def.ExtKeyUsage)
		}

		r := l.http01(t, a.HTTPPort, "-d", "nope.example.test", "run", "--profile", "tlsserver")
		failedRun(t, "--profile tlsserver", r)
		wantOutput(t, "--profile tlsserver", r, "urn:ietf:params:acme:error:invalidProfile")
	})
}
