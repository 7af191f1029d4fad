package e2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// deniedName is refused by the ACME scenarios' authority policy.
const deniedName = "denied.example.test"

// acmePolicy denies deniedName (and nothing else) at the authority level.
func acmePolicy(t *testing.T, ca *runningCA) {
	ca.editConfig(func(cfg map[string]any) {
		cfg["authority"].(map[string]any)["policy"] = map[string]any{"x509": map[string]any{
			"deny": map[string]any{"dns": []string{deniedName}}, "allowWildcardNames": true}}
	})
}

// dns01Mismatch: step-ca leaves a dns-01 challenge whose TXT record does not
// match pending (the client polls until it gives up), instead of invalid.
const dns01Mismatch = "step-ca leaves a mismatched dns-01 challenge pending instead of invalid (RFC 8555 §8.4)"

// certbot is certbot from Debian (2.1) with its state in dir.
type certbot struct {
	a   *acmeCA
	e   *env
	dir string
}

func (c certbot) run(t *testing.T, args ...string) result {
	t.Helper()
	args = append(args, "--non-interactive", "--server", c.a.Dir, "--config-dir", filepath.Join(c.dir, "config"),
		"--work-dir", filepath.Join(c.dir, "work"), "--logs-dir", filepath.Join(c.dir, "logs"))
	// certbot speaks HTTPS through python-requests, which trusts REQUESTS_CA_BUNDLE only.
	logPath := filepath.Join(c.dir, "logs", "letsencrypt.log")
	var before int64
	if fi, err := os.Stat(logPath); err == nil {
		before = fi.Size()
	}
	r := c.a.run(t, c.e, []string{"REQUESTS_CA_BUNDLE=" + c.a.Root}, "certbot", args...)
	if r.code != 0 {
		// Debian's certbot 2.1 on Python 3.11 cannot print an ACME problem
		// (josepy's immutable Error meets contextlib: "AttributeError: can't
		// set attribute"), so the problem certbot parsed is read from its log.
		b, _ := os.ReadFile(logPath)
		if int64(len(b)) >= before {
			b = b[before:] // this run's lines (certbot may append to its log)
		}
		found := false
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "acme.messages.Error: ") {
				r.stderr += "\n[certbot log] " + l
				t.Logf("certbot's log: %s", l)
				found = true
			}
		}
		if !found {
			t.Logf("certbot's log (tail):\n%s", tail(string(b), 12))
		}
	}
	return r
}

// tail is s's last n lines.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

func (c certbot) live(name, file string) string {
	return filepath.Join(c.dir, "config", "live", name, file)
}

// standalone gets a certificate for names through certbot's own http-01 server.
// Arguments starting with "-" are passed as they are; the others are names.
func (c certbot) standalone(t *testing.T, certName string, namesAndFlags ...string) result {
	t.Helper()
	args := []string{"certonly", "--standalone", "--http-01-port", port(c.a.HTTPPort), "--http-01-address", "127.0.0.1",
		"--cert-name", certName}
	for i := 0; i < len(namesAndFlags); i++ {
		if n := namesAndFlags[i]; strings.HasPrefix(n, "-") {
			args = append(args, n, namesAndFlags[i+1])
			i++
		} else {
			args = append(args, "-d", n)
		}
	}
	defer c.a.holdPorts()()
	return c.run(t, args...)
}

// manualDNS gets a certificate for names with dns-01 through the TXT hooks.
func (c certbot) manualDNS(t *testing.T, certName string, names ...string) result {
	t.Helper()
	auth, cleanup := c.a.Hook.certbotHooks(c.e)
	args := []string{"certonly", "--manual", "--preferred-challenges", "dns", "--manual-auth-hook", auth,
		"--manual-cleanup-hook", cleanup, "--cert-name", certName}
	for _, n := range names {
		args = append(args, "-d", n)
	}
	return c.run(t, args...)
}

// TestACMECertbot drives certbot against each CA: two accounts (without and
// with an email contact, read back from the server), http-01 standalone,
// dns-01 for a wildcard and its apex through --manual hooks, a forced
// renewal, revocation for keyCompromise and a second revocation
// (alreadyRevoked), a name the policy denies (rejectedIdentifier) and a hook
// that publishes a wrong TXT record (an invalid authorization with its
// problem).
func TestACMECertbot(t *testing.T) {
	t.Parallel()
	forEachACME(t, acmeOptions{setup: acmePolicy}, func(t *testing.T, a *acmeCA) {
		e := newEnv(t)
		anon := certbot{a, e, e.path("cb-anon")}
		mail := certbot{a, e, e.path("cb-mail")}
		accountURL := regexp.MustCompile(`Account URL: ` + regexp.QuoteMeta(a.URL+"/acme/"+acmeProvisioner+"/account/") + `\S+`)

		// Accounts.
		mustRun(t, "register without email", anon.run(t, "register", "--agree-tos", "--register-unsafely-without-email"))
		r := mustRun(t, "show_account", anon.run(t, "show_account"))
		if !accountURL.MatchString(r.stdout+r.stderr) || !strings.Contains(r.stdout+r.stderr, "Email contact: none") {
			t.Errorf("account without email: want its URL under the directory and no contact: %s", r)
		}
		mustRun(t, "register with email", mail.run(t, "register", "--agree-tos", "--email", "admin@example.test", "--no-eff-email"))
		r = mustRun(t, "show_account", mail.run(t, "show_account"))
		if !accountURL.MatchString(r.stdout+r.stderr) || !strings.Contains(r.stdout+r.stderr, "Email contact: admin@example.test") {
			t.Errorf("account with email: want its URL and the contact admin@example.test: %s", r)
		}

		// http-01, certbot's standalone server.
		mustRun(t, "http-01", anon.standalone(t, "a", "a.example.test"))
		first := a.issuedLeaf(t, e, anon.live("a", "fullchain.pem"), "a.example.test")

		// A P-384 key (certbot's account key is RSA: RS256 JWS).
		mustRun(t, "P-384", anon.standalone(t, "p384", "p384.example.test", "--key-type", "ecdsa", "--elliptic-curve", "secp384r1"))
		if leaf := a.issuedLeafCert(t, e, anon.live("p384", "fullchain.pem"), "p384.example.test"); leaf.PublicKeyAlgorithm != x509.ECDSA ||
			leaf.PublicKey.(*ecdsa.PublicKey).Curve != elliptic.P384() {
			t.Errorf("p384: want a P-384 key, got %v", leaf.PublicKeyAlgorithm)
		}

		// dns-01: a wildcard and its apex share _acme-challenge.w.example.test.
		mustRun(t, "dns-01", mail.manualDNS(t, "w", "*.w.example.test", "w.example.test"))
		a.issuedLeaf(t, e, mail.live("w", "fullchain.pem"), "*.w.example.test", "w.example.test")
		calls := strings.Join(a.Hook.callLog(), ",")
		if strings.Count(calls, "set _acme-challenge.w.example.test") != 2 || !strings.Contains(calls, "clear _acme-challenge.w.example.test") {
			t.Errorf("certbot's hooks: %s, want two values set on _acme-challenge.w.example.test, then cleared", calls)
		}

		// renew --force-renewal: a new certificate for the same name.
		func() {
			defer a.holdPorts()()
			mustRun(t, "renew", anon.run(t, "renew", "--cert-name", "a", "--force-renewal", "--no-random-sleep-on-renew"))
		}()
		renewed := a.issuedLeaf(t, e, anon.live("a", "fullchain.pem"), "a.example.test")
		if renewed == first {
			t.Errorf("renew --force-renewal kept serial %s", first)
		}

		// revoke, then revoke again.
		revoke := []string{"revoke", "--cert-path", anon.live("a", "cert.pem"), "--reason", "keycompromise", "--no-delete-after-revoke"}
		mustRun(t, "revoke", anon.run(t, revoke...))
		a.revoked(renewed, 1)
		r = anon.run(t, revoke...)
		failedRun(t, "second revoke", r)
		wantOutput(t, "second revoke", r, "urn:ietf:params:acme:error:alreadyRevoked")

		// revoke with the certificate's own key (a JWS with the key as jwk, no account).
		wSerial := readCert(t, mail.live("w", "cert.pem")).SerialNumber.String()
		mustRun(t, "revoke with the certificate key", mail.run(t, "revoke", "--cert-path", mail.live("w", "cert.pem"),
			"--key-path", mail.live("w", "privkey.pem"), "--reason", "superseded", "--no-delete-after-revoke"))
		a.revoked(wSerial, 4)

		// The account's contact changes.
		if heldTo(a.runningCA, "step-ca answers certbot's contact update with malformed") {
			mustRun(t, "update_account", mail.run(t, "update_account", "--email", "new@example.test", "--no-eff-email"))
			r = mustRun(t, "show_account", mail.run(t, "show_account"))
			wantOutput(t, "show_account after update_account", r, "Email contact: new@example.test")
		}

		// The account is deactivated: a backup of certbot's account files
		// no longer works (RFC 8555 §7.3.6: no further request authorized by
		// the account's key is accepted; a deactivated account gets 401
		// unauthorized).
		backup := e.path("cb-mail-accounts")
		must(t, e.exec("cp", "", "-a", filepath.Join(mail.dir, "config", "accounts"), backup))
		mustRun(t, "unregister", mail.run(t, "unregister"))
		must(t, e.exec("cp", "", "-a", backup+"/.", filepath.Join(mail.dir, "config", "accounts")))
		r = mail.manualDNS(t, "after", "after.example.test")
		failedRun(t, "certonly with a deactivated account", r)
		wantOutput(t, "certonly with a deactivated account", r, "urn:ietf:params:acme:error:unauthorized")
		r = mail.run(t, "show_account")
		failedRun(t, "show_account of a deactivated account (new-account, onlyReturnExisting)", r)
		wantOutput(t, "show_account of a deactivated account (new-account, onlyReturnExisting)", r, "urn:ietf:params:acme:error:unauthorized")

		// A name the policy denies: refused at new-order.
		r = anon.standalone(t, "denied", deniedName)
		failedRun(t, "certonly "+deniedName, r)
		wantOutput(t, "certonly "+deniedName, r, "urn:ietf:params:acme:error:rejectedIdentifier")

		// A hook that publishes a wrong TXT value: the authorization is invalid.
		if heldTo(a.runningCA, dns01Mismatch) {
			a.Hook.setWrong(true)
			r = anon.manualDNS(t, "bad", "bad.example.test")
			a.Hook.setWrong(false)
			out := failedRun(t, "dns-01 with a wrong TXT", r)
			wantOutput(t, "dns-01 with a wrong TXT", r, "Domain: bad.example.test", "Detail:")
			if !regexp.MustCompile(`Type:\s+(unauthorized|incorrectResponse)`).MatchString(out) {
				t.Errorf("dns-01 with a wrong TXT: want the problem type unauthorized or incorrectResponse: %s", r)
			}
		}
	})
}
