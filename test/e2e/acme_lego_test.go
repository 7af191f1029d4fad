package e2e

import (
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// noARI: step-ca serves no renewalInfo (RFC 9773).
const noARI = "step-ca has no ARI (renewalInfo)"

// lego is lego v4.35.2 (built by scripts/tools.sh) with its state in dir,
// for the account of email (lego@example.test when empty).
type lego struct {
	a     *acmeCA
	e     *env
	dir   string
	email string
}

// run runs `lego GLOBAL… ARGS…`.
func (l lego) run(t *testing.T, extraEnv []string, args ...string) result {
	t.Helper()
	email := l.email
	if email == "" {
		email = "lego@example.test"
	}
	args = append([]string{"--server", l.a.Dir, "--accept-tos", "--email", email, "--path", l.dir}, args...)
	// lego trusts the roots in LEGO_CA_CERTIFICATES (and the system's).
	return l.a.run(t, l.e, append([]string{"LEGO_CA_CERTIFICATES=" + l.a.Root}, extraEnv...),
		filepath.Join(toolsDir, "lego"), args...)
}

// http01 runs a lego command that answers http-01 itself on 127.0.0.1:listen.
func (l lego) http01(t *testing.T, listen int, args ...string) result {
	t.Helper()
	defer l.a.holdPorts()()
	return l.run(t, nil, append([]string{"--http", "--http.port", "127.0.0.1:" + port(listen)}, args...)...)
}

// dns01 runs a lego command that publishes dns-01 TXT records through the
// exec provider and the test's hook.
func (l lego) dns01(t *testing.T, args ...string) result {
	t.Helper()
	env := []string{"EXEC_PATH=" + l.a.Hook.legoHook(l.e), "EXEC_POLLING_INTERVAL=1", "EXEC_PROPAGATION_TIMEOUT=10",
		"EXEC_SEQUENCE_INTERVAL=1"}
	return l.run(t, env, append([]string{"--dns", "exec", "--dns.resolvers", l.a.DNS.Addr(),
		"--dns.propagation-wait", "1s"}, args...)...)
}

// crt is where lego keeps the certificate (leaf and issuer) of a first name.
func (l lego) crt(name string) string {
	return filepath.Join(l.dir, "certificates", strings.ReplaceAll(name, "*", "_")+".crt")
}

// TestACMELego drives lego v4.35.2 against each CA: http-01, tls-alpn-01,
// an RSA account and key for an IP address, dns-01 for a wildcard and its
// apex (exec provider), a renewal (with ARI
// against stride-ca), revocation for keyCompromise and again
// (alreadyRevoked), a name the policy denies (rejectedIdentifier), a wrong
// http-01 answer and a wrong TXT record (an invalid authorization with its
// problem).
func TestACMELego(t *testing.T) {
	t.Parallel()
	forEachACME(t, acmeOptions{setup: acmePolicy}, func(t *testing.T, a *acmeCA) {
		e := newEnv(t)
		l := lego{a: a, e: e, dir: e.path("lego")}

		mustRun(t, "http-01", l.http01(t, a.HTTPPort, "-d", "a.example.test", "run"))
		first := a.issuedLeaf(t, e, l.crt("a.example.test"), "a.example.test")

		func() {
			defer a.holdPorts()()
			mustRun(t, "tls-alpn-01", l.run(t, nil, "--tls", "--tls.port", "127.0.0.1:"+port(a.TLSPort), "-d", "b.example.test", "run"))
		}()
		b := a.issuedLeaf(t, e, l.crt("b.example.test"), "b.example.test")

		// An RSA account (RS256) and key, for an IP identifier (RFC 8738) by http-01.
		rsa := lego{a: a, e: e, dir: e.path("lego"), email: "rsa@example.test"}
		mustRun(t, "RSA, IP identifier", rsa.http01(t, a.HTTPPort, "--key-type", "rsa2048", "-d", "127.0.0.1", "run"))
		if leaf := readCert(t, rsa.crt("127.0.0.1")); leaf.PublicKeyAlgorithm != x509.RSA {
			t.Errorf("127.0.0.1: a %v key, want RSA", leaf.PublicKeyAlgorithm)
		}
		a.issuedLeaf(t, e, rsa.crt("127.0.0.1"), "127.0.0.1")
		// A P-384 account (ES384) and key.
		p384 := lego{a: a, e: e, dir: e.path("lego"), email: "p384@example.test"}
		mustRun(t, "P-384", p384.http01(t, a.HTTPPort, "--key-type", "ec384", "-d", "p384.example.test", "run"))
		a.issuedLeaf(t, e, p384.crt("p384.example.test"), "p384.example.test")
		// tls-alpn-01 for an IP address: the CA sends the reverse-DNS name as SNI (RFC 8738 §6).
		func() {
			defer a.holdPorts()()
			mustRun(t, "tls-alpn-01, IP identifier", l.run(t, nil, "--tls", "--tls.port", "127.0.0.1:"+port(a.TLSPort), "-d", "127.0.0.1", "run"))
		}()
		a.issuedLeaf(t, e, l.crt("127.0.0.1"), "127.0.0.1")

		mustRun(t, "dns-01", l.dns01(t, "-d", "*.w.example.test", "-d", "w.example.test", "run"))
		a.issuedLeaf(t, e, l.crt("*.w.example.test"), "*.w.example.test", "w.example.test")
		calls := strings.Join(a.Hook.callLog(), ",")
		if strings.Count(calls, "set _acme-challenge.w.example.test") != 2 {
			t.Errorf("lego's exec hook: %s, want two values set on _acme-challenge.w.example.test", calls)
		}

		// lego gives its authorizations up after the certificate (RFC 8555 §7.5.2).
		r := mustRun(t, "--always-deactivate-authorizations", l.http01(t, a.HTTPPort, "-d", "da.example.test", "run",
			"--always-deactivate-authorizations", "true"))
		a.issuedLeaf(t, e, l.crt("da.example.test"), "da.example.test")
		if heldTo(a.runningCA, "step-ca does not support authorization deactivation") {
			wantOutput(t, "--always-deactivate-authorizations", r, "Deactivating auth")
			if strings.Contains(r.stderr, "Unable to deactivate") {
				t.Errorf("lego could not deactivate its authorization: %s", r)
			}
		}

		// notAfter asked by the client (RFC 8555 §7.4) is the certificate's.
		notAfter := time.Now().Add(3 * time.Hour).UTC().Truncate(time.Second)
		mustRun(t, "--not-after", l.http01(t, a.HTTPPort, "-d", "n.example.test", "run", "--not-after", notAfter.Format(time.RFC3339)))
		if got := a.issuedLeafCert(t, e, l.crt("n.example.test"), "n.example.test").NotAfter; !got.Equal(notAfter) {
			t.Errorf("--not-after %v: the certificate ends %v", notAfter, got)
		}

		// renew (ARI on, lego's default): a new certificate for the same name.
		r = mustRun(t, "renew", l.http01(t, a.HTTPPort, "-d", "a.example.test", "renew", "--days", "90", "--no-random-sleep"))
		renewed := a.issuedLeaf(t, e, l.crt("a.example.test"), "a.example.test")
		if renewed == first {
			t.Errorf("renew kept serial %s", first)
		}
		if heldTo(a.runningCA, noARI) {
			// lego logs what the renewalInfo endpoint said, or why it could not use it.
			wantOutput(t, "renew with ARI", r, "acme: renewalInfo endpoint indicates")
			t.Logf("renew: %s", regexp.MustCompile(`.*renewalInfo.*`).FindString(r.stderr))
			if strings.Contains(r.stderr, "calling renewal info endpoint") || strings.Contains(r.stderr, "renewalInfo endpoint") && strings.Contains(r.stderr, "[WARN]") {
				t.Errorf("renew: lego could not use renewalInfo: %s", r)
			}
		}

		// revoke b (keyCompromise), then again.
		mustRun(t, "revoke", l.run(t, nil, "-d", "b.example.test", "revoke", "--reason", "1", "--keep"))
		a.revoked(b, 1)
		r = l.run(t, nil, "-d", "b.example.test", "revoke", "--reason", "1", "--keep")
		failedRun(t, "second revoke", r)
		wantOutput(t, "second revoke", r, "urn:ietf:params:acme:error:alreadyRevoked")

		// ARI decides: with --dynamic, lego's own clock says a fresh 24-hour
		// certificate is not due; the renewalInfo window of a fresh one is
		// ahead (no renewal), that of a revoked one is now (renewal).
		if heldTo(a.runningCA, noARI) {
			r = mustRun(t, "renew --dynamic (fresh)", l.http01(t, a.HTTPPort, "-d", "a.example.test", "renew", "--dynamic", "--no-random-sleep"))
			wantOutput(t, "renew --dynamic (fresh)", r, "renewalInfo endpoint indicates that renewal is not needed")
			if got := readCert(t, l.crt("a.example.test")).SerialNumber.String(); got != renewed {
				t.Errorf("renew --dynamic of a fresh certificate replaced it (%s → %s)", renewed, got)
			}
			r = func() result {
				defer a.holdPorts()()
				return l.run(t, nil, "--tls", "--tls.port", "127.0.0.1:"+port(a.TLSPort), "-d", "b.example.test", "renew", "--dynamic", "--no-random-sleep")
			}()
			mustRun(t, "renew --dynamic (revoked)", r)
			wantOutput(t, "renew --dynamic (revoked)", r, "renewalInfo endpoint indicates that renewal is needed")
			if a.issuedLeaf(t, e, l.crt("b.example.test"), "b.example.test") == b {
				t.Errorf("renew --dynamic of a revoked certificate kept it")
			}
		}

		// A contact that is no email address: refused at new-account with
		// invalidContact (RFC 8555 §7.3).
		if heldTo(a.runningCA, "step-ca accepts any mailto: contact") {
			bad := lego{a: a, e: e, dir: e.path("lego"), email: "nobody"}
			r = bad.http01(t, a.HTTPPort, "-d", "nobody.example.test", "run")
			failedRun(t, "--email nobody", r)
			wantOutput(t, "--email nobody", r, "urn:ietf:params:acme:error:invalidContact")
		}

		// A name the policy denies: refused at new-order.
		r = l.http01(t, a.HTTPPort, "-d", deniedName, "run")
		failedRun(t, "run -d "+deniedName, r)
		wantOutput(t, "run -d "+deniedName, r, "urn:ietf:params:acme:error:rejectedIdentifier")

		// A wrong http-01 answer: something else holds the port the CA
		// dials and answers every token wrongly; lego listens elsewhere.
		func() {
			defer a.holdPorts()()
			ln, err := net.Listen("tcp", "127.0.0.1:"+port(a.HTTPPort))
			if err != nil {
				t.Fatalf("the http-01 port: %v", err)
			}
			srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				fmt.Fprint(w, "not-the-key-authorization")
			})}
			go srv.Serve(ln)
			defer srv.Close()
			r = l.run(t, nil, "--http", "--http.port", "127.0.0.1:"+port(freePort(t)), "-d", "c.example.test", "run")
		}()
		legoInvalidAuthz(t, a, "wrong http-01 answer", r, "c.example.test")

		// A redirect (RFC 8555 §8.3: the server SHOULD follow redirects): the
		// http-01 port answers 302 to another path of the same host and port,
		// which forwards to lego's listener elsewhere.
		func() {
			defer a.holdPorts()()
			ln, err := net.Listen("tcp", "127.0.0.1:"+port(a.HTTPPort))
			if err != nil {
				t.Fatalf("the http-01 port: %v", err)
			}
			legoPort := freePort(t)
			proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: "127.0.0.1:" + port(legoPort)})
			var redirected atomic.Int32
			srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
				if rest, ok := strings.CutPrefix(req.URL.Path, "/moved/"); ok {
					redirected.Add(1)
					req.URL.Path = "/.well-known/acme-challenge/" + rest
					proxy.ServeHTTP(w, req)
					return
				}
				http.Redirect(w, req, "/moved/"+path.Base(req.URL.Path), http.StatusFound)
			})}
			go srv.Serve(ln)
			defer srv.Close()
			r = l.run(t, nil, "--http", "--http.port", "127.0.0.1:"+port(legoPort), "-d", "redirect.example.test", "run")
			if redirected.Load() == 0 {
				t.Errorf("the CA did not follow the http-01 redirect")
			}
		}()
		mustRun(t, "http-01 through a redirect", r)
		a.issuedLeaf(t, e, l.crt("redirect.example.test"), "redirect.example.test")

		// A hook that publishes a wrong TXT value.
		if heldTo(a.runningCA, dns01Mismatch) {
			a.Hook.setWrong(true)
			r = l.dns01(t, "-d", "d.example.test", "run")
			a.Hook.setWrong(false)
			legoInvalidAuthz(t, a, "wrong TXT", r, "d.example.test")
		}
	})
}

// wrongTypeForMismatch: step-ca answers a key authorization that does not
// match with rejectedIdentifier, a problem RFC 8555 keeps for identifiers the
// CA will not issue for.
const wrongTypeForMismatch = "step-ca calls a mismatched http-01 answer rejectedIdentifier"

// legoInvalidAuthz checks how lego reports an invalid authorization: the
// name, the problem type and a detail. RFC 8555 §8.3/§8.4 call a response
// that does not match incorrectResponse (Boulder and pebble say unauthorized);
// stride-ca is held to one of the two.
func legoInvalidAuthz(t *testing.T, a *acmeCA, what string, r result, name string) {
	t.Helper()
	out := failedRun(t, what, r)
	// lego names the challenge when the challenge POST already answers
	// invalid (synchronous validation), the authorization when it polled.
	re := regexp.MustCompile(`\[` + regexp.QuoteMeta(name) + `\] invalid (?:challenge|authorization): acme: error: \d+ :: urn:ietf:params:acme:error:(\w+) :: (.+)`)
	m := re.FindStringSubmatch(out)
	if m == nil {
		t.Errorf("%s: lego does not report an invalid authorization for %s with a problem: %s", what, name, r)
		return
	}
	t.Logf("%s: %s", what, m[0])
	if strings.TrimSpace(m[2]) == "" {
		t.Errorf("%s: the problem has no detail: %s", what, m[0])
	}
	if heldTo(a.runningCA, wrongTypeForMismatch) && m[1] != "incorrectResponse" && m[1] != "unauthorized" {
		t.Errorf("%s: problem type %s, want incorrectResponse or unauthorized", what, m[1])
	}
}

// TestACMEValidationRestart: stride-ca validates from a queue kept in its
// database, retrying a failure that may pass later. lego's dns-01 TXT record
// is published late: the first attempt finds none; then stride-ca is
// restarted (or reloads on SIGHUP, which rebuilds its ACME servers), the
// record appears, and a later attempt validates the challenge; lego, polling
// through it, gets its certificate.
func TestACMEValidationRestart(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"restart", "sighup"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			opts := acmeOptions{strideOnly: "step-ca validates inside the challenge POST: there is no queue to resume"}
			forEachACME(t, opts, func(t *testing.T, a *acmeCA) {
				e := newEnv(t)
				l := lego{a: a, e: e, dir: e.path("lego")}
				attempt := func(n int) *regexp.Regexp {
					return regexp.MustCompile(`validation attempt.*identifier=r\.example\.test.*attempt=` + fmt.Sprint(n) + `\b.*`)
				}
				a.Hook.holdBack()
				done := make(chan result, 1)
				go func() { done <- l.dns01(t, "-d", "r.example.test", "run") }()
				deadline := time.Now().Add(30 * time.Second)
				for !attempt(1).MatchString(a.Log()) {
					if time.Now().After(deadline) {
						t.Fatalf("no first validation attempt logged within 30 s:\n%s", a.logTail(30))
					}
					time.Sleep(20 * time.Millisecond)
				}
				if line := attempt(1).FindString(a.Log()); !strings.Contains(line, "error=") || strings.Contains(line, "error=<nil>") {
					t.Errorf("the first attempt, with no TXT record published, did not fail: %s", line)
				}
				before := len(a.Log())
				if mode == "restart" {
					a.stop()
					a.Hook.release()
					a.restart(0)
				} else {
					a.sighup()
					a.Hook.release()
				}
				r := <-done
				mustRun(t, "dns-01 across a "+mode, r)
				a.issuedLeaf(t, e, l.crt("r.example.test"), "r.example.test")
				if after := a.Log()[before:]; !regexp.MustCompile(`validation attempt.*identifier=r\.example\.test.*attempt=[23] error=<nil>`).MatchString(after) {
					t.Errorf("no later successful attempt for r.example.test after the %s:\n%s", mode, after)
				}
			})
		})
	}
}

// TestACMEConcurrentClients: four lego clients, each with its own account,
// order dns-01 certificates from one CA at the same time (a wildcard and
// its apex each, so eight authorizations validate side by side); every one
// gets its certificate.
func TestACMEConcurrentClients(t *testing.T) {
	t.Parallel()
	forEachACME(t, acmeOptions{}, func(t *testing.T, a *acmeCA) {
		e := newEnv(t)
		const n = 4
		results := make([]result, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				l := lego{a: a, e: e, dir: e.path(fmt.Sprintf("lego%d", i)), email: fmt.Sprintf("c%d@example.test", i)}
				results[i] = l.dns01(t, "-d", fmt.Sprintf("*.c%d.example.test", i), "-d", fmt.Sprintf("c%d.example.test", i), "run")
			}()
		}
		wg.Wait()
		for i, r := range results {
			mustRun(t, fmt.Sprintf("client %d", i), r)
			l := lego{a: a, e: e, dir: e.path(fmt.Sprintf("lego%d", i))}
			a.issuedLeaf(t, e, l.crt(fmt.Sprintf("*.c%d.example.test", i)), fmt.Sprintf("*.c%d.example.test", i), fmt.Sprintf("c%d.example.test", i))
		}
	})
}
