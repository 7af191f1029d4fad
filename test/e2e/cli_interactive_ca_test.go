package e2e

import (
	"strings"
	"testing"
)

// TestCACertificateInteractive: with two JWK provisioners and no
// --provisioner, `stride ca certificate` on a terminal shows a menu, then
// asks for the chosen provisioner's password, and writes the certificate.
func TestCACertificateInteractive(t *testing.T) {
	t.Parallel()
	ca := startStrideInitCA(t)
	opsPW := "ops password on a terminal"
	pwFile := ca.env.write("ops-pw", opsPW+"\n")
	must(t, ca.env.stride("ca", "provisioner", "add", "ops@example.com", "--create", "--password-file", pwFile))
	ca.sighup()
	c := newEnv(t)
	must(t, c.stride("ca", "bootstrap", "--ca-url", ca.URL, "--fingerprint", ca.Fingerprint))

	p := c.startPTY("ca", "certificate", "x.example.com", "x.crt", "x.key")
	p.expect("Which provisioner do you want to use?")
	p.expect("1) " + provisionerName)
	p.expect("2) ops@example.com")
	p.expect("Provisioner number")
	p.send("2")
	p.expect("password to decrypt the provisioner key ops@example.com")
	p.send(opsPW)
	if code := p.wait(); code != 0 {
		t.Fatalf("exit %d:\n%s", code, p.output())
	}
	if strings.Contains(p.output(), opsPW) {
		t.Fatalf("the password was echoed:\n%s", p.output())
	}
	ca.checkLeaf(t, c, c.path("x.crt"), "x.example.com")
	checkMode(t, c.path("x.key"), 0o600)
	short := strings.Join(strings.Fields(must(t, c.stride("certificate", "inspect", "x.crt", "--short")).stdout), " ")
	if !strings.Contains(short, "Provisioner: ops@example.com") {
		t.Fatalf("the certificate was not issued by the chosen provisioner:\n%s", short)
	}
}
