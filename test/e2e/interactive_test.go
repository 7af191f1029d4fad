package e2e

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestCAInitInteractive answers `stride ca init`'s questions on a real
// pseudo-terminal, leaves the password empty so one is generated, and then
// checks the generated password opens the keys.
func TestCAInitInteractive(t *testing.T) {
	e := newEnv(t)
	p := e.startPTY("ca", "init")
	p.expect("deployment type")
	p.send("")
	p.expect("name your new PKI")
	p.send("Interactive")
	p.expect("DNS names or IP addresses")
	p.send("ca.example.internal,127.0.0.1")
	p.expect("IP and port")
	p.send("127.0.0.1:9555")
	p.expect("first provisioner")
	p.send("you@example.internal")
	p.expect("Choose a password")
	p.send("")
	p.expect("Password: ")
	if code := p.wait(); code != 0 {
		t.Fatalf("exit %d:\n%s", code, p.output())
	}
	out := p.output()
	m := regexp.MustCompile(`✔ Password: (\S+)`).FindStringSubmatch(out)
	if m == nil || len(m[1]) < 24 {
		t.Fatalf("no generated password printed:\n%s", out)
	}
	if !strings.Contains(out, "Root fingerprint: ") {
		t.Fatalf("no fingerprint:\n%s", out)
	}
	pw := e.write("generated.txt", m[1])
	must(t, e.openssl("pkey", "-in", e.pki("secrets/intermediate_ca_key"), "-passin", "file:"+pw, "-noout"))
	b, _ := os.ReadFile(e.pki("config/ca.json"))
	for _, want := range []string{`"address": "127.0.0.1:9555"`, `"ca.example.internal"`, `"you@example.internal"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("ca.json lacks %s:\n%s", want, b)
		}
	}
}

// TestCAInitInteractiveKeepsFlags only asks for what the flags left out.
func TestCAInitInteractiveKeepsFlags(t *testing.T) {
	e := newEnv(t)
	p := e.startPTY("ca", "init", "--name", "Half", "--dns", "localhost", "--address", ":9000", "--provisioner", "ops")
	p.expect("Choose a password")
	p.send("typed-secret-123")
	if code := p.wait(); code != 0 {
		t.Fatalf("exit %d:\n%s", code, p.output())
	}
	out := p.output()
	if strings.Contains(out, "name your new PKI") || strings.Contains(out, "typed-secret-123") {
		t.Fatalf("asked a flagged question or echoed the password:\n%s", out)
	}
	pw := e.write("pw", "typed-secret-123")
	must(t, e.openssl("pkey", "-in", e.pki("secrets/root_ca_key"), "-passin", "file:"+pw, "-noout"))
}
