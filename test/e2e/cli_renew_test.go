package e2e

// `stride ca renew`, `ca rekey` and `ca revoke` against step-ca and
// stride-ca, and the renewal daemon across a CA outage (stride-ca).

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// strideIssue gets a certificate with `stride ca certificate`.
func (ca *runningCA) strideIssue(t *testing.T, c *env, sub string, args ...string) (crt, key string) {
	t.Helper()
	crt, key = c.path(sub+".crt"), c.path(sub+".key")
	must(t, c.stride(append([]string{"ca", "certificate", sub, crt, key, "--provisioner-password-file", ca.Password}, args...)...))
	return crt, key
}

func TestCLIRenew(t *testing.T) {
	forEachCA(t, func(t *testing.T, ca *runningCA) {
		c := strideClient(t, ca)
		crt, key := ca.strideIssue(t, c, "life.example.com", "--san", "life.example.com", "--san", "life2.example.com", "--not-after", "2h")
		old := ca.checkLeaf(t, c, crt, "life.example.com", "life2.example.com")

		r := c.stride("ca", "renew", crt, key)
		mustFail(t, r, "--force")
		if r.code != 2 {
			t.Errorf("renew without --force off a terminal: exit %d, want 2", r.code)
		}
		r = must(t, c.stride("ca", "renew", "--expires-in", "1h", crt, key))
		if !regexp.MustCompile(`^certificate not renewed: expires in (1h59m\d+s|2h0m0s)\n$`).MatchString(r.stderr) {
			t.Errorf("--expires-in 1h on a 2h certificate: %s", r)
		}
		if !readCert(t, crt).Equal(old) {
			t.Fatal("--expires-in renewed anyway")
		}

		must(t, c.stride("ca", "renew", "--force", "--exec", "echo renewed >> exec.log", crt, key))
		renewed := ca.checkLeaf(t, c, crt, "life.example.com", "life2.example.com")
		checkMode(t, crt, 0o600)
		if renewed.SerialNumber.Cmp(old.SerialNumber) == 0 || !bytes.Equal(pubDER(t, renewed), pubDER(t, old)) {
			t.Error("renew kept the serial or changed the key")
		}
		if renewed.Subject.CommonName != old.Subject.CommonName {
			t.Errorf("renew changed the subject: %v", renewed.Subject)
		}
		if b, _ := os.ReadFile(c.path("exec.log")); string(b) != "renewed\n" {
			t.Errorf("--exec wrote %q", b)
		}

		must(t, c.stride("ca", "renew", "--mtls=false", "--out", "token.crt", crt, key))
		viaToken := ca.checkLeaf(t, c, c.path("token.crt"), "life.example.com", "life2.example.com")
		if viaToken.SerialNumber.Cmp(renewed.SerialNumber) == 0 || !readCert(t, crt).Equal(renewed) {
			t.Error("--mtls=false --out: same serial, or CRT_FILE was touched")
		}
	})
}

func TestCLIRekey(t *testing.T) {
	forEachCA(t, func(t *testing.T, ca *runningCA) {
		c := strideClient(t, ca)
		crt, key := ca.strideIssue(t, c, "rk.example.com", "--not-after", "2h")
		old := readCert(t, crt)
		mustFail(t, c.stride("ca", "rekey", crt, key), "--force")
		must(t, c.stride("ca", "rekey", "--force", "--kty", "EC", "--crv", "P-384", crt, key))
		rekeyed := ca.checkLeaf(t, c, crt, "rk.example.com")
		if rekeyed.SerialNumber.Cmp(old.SerialNumber) == 0 || bytes.Equal(pubDER(t, rekeyed), pubDER(t, old)) {
			t.Error("rekey kept the serial or the key")
		}
		if kp, cp := must(t, c.openssl("pkey", "-in", key, "-pubout")).stdout, must(t, c.openssl("x509", "-in", crt, "-noout", "-pubkey")).stdout; kp != cp {
			t.Error("the rekeyed certificate does not match the new key file")
		}
		checkMode(t, key, 0o600)
		// --private-key, --out-cert/--out-key leave the inputs alone.
		must(t, c.stride("crypto", "keypair", "next.pub", "next.key", "--no-password", "--insecure"))
		must(t, c.stride("ca", "rekey", "--private-key", c.path("next.key"), "--out-cert", "o.crt", "--out-key", "o.key", crt, key))
		o := ca.checkLeaf(t, c, c.path("o.crt"), "rk.example.com")
		if kp, cp := must(t, c.openssl("pkey", "-in", c.path("next.key"), "-pubout")).stdout, must(t, c.openssl("x509", "-in", c.path("o.crt"), "-noout", "-pubkey")).stdout; kp != cp {
			t.Error("--private-key was not the key certified")
		}
		if !readCert(t, crt).Equal(rekeyed) || o.SerialNumber.Cmp(rekeyed.SerialNumber) == 0 {
			t.Error("--out-cert touched CRT_FILE or kept the serial")
		}
	})
}

func TestCLIRevoke(t *testing.T) {
	forEachCA(t, func(t *testing.T, ca *runningCA) {
		c := strideClient(t, ca)
		// mTLS: the certificate revokes itself.
		crt, key := ca.strideIssue(t, c, "self.example.com")
		serial := readCert(t, crt).SerialNumber.String()
		r := must(t, c.stride("ca", "revoke", "--cert", crt, "--key", key, "--reasonCode", "superseded"))
		if want := "Certificate with Serial Number " + serial + " has been revoked."; !strings.Contains(r.stderr, want) {
			t.Errorf("revoke printed %s, want %q", r, want)
		}
		r = c.stride("ca", "renew", "--force", crt, key)
		refused(t, r, "refused to renew")
		mustFail(t, r, "")

		// SERIAL with a generated revoke token; the message is where step prints it.
		crt2, key2 := ca.strideIssue(t, c, "gone.example.com")
		serial2 := readCert(t, crt2).SerialNumber.String()
		r = must(t, c.stride("ca", "revoke", serial2, "--provisioner-password-file", ca.Password, "--reason", "laptop lost", "--reasonCode", "key compromise"))
		step := ca.client(t)
		crt3, _ := ca.issue(t, step, "third.example.com")
		tok := stepToken(t, step, readCert(t, crt3).SerialNumber.String(), append(ca.jwkFlags(), "--revoke")...)
		theirs := must(t, step.step("ca", "revoke", readCert(t, crt3).SerialNumber.String(), "--token", tok))
		if (theirs.stdout == "") != (r.stdout == "") {
			t.Errorf("stride printed %q / %q, step %q / %q (stdout / stderr)", r.stdout, r.stderr, theirs.stdout, theirs.stderr)
		}
		refused(t, c.stride("ca", "renew", "--force", crt2, key2), "refused to renew")
		refused(t, c.stride("ca", "revoke", serial2, "--provisioner-password-file", ca.Password), "already revoked")
		mustFail(t, c.stride("ca", "revoke", serial2, "--reasonCode", "sorry"), "--reasonCode")
	})
}

// TestCLIRenewExpired: an expired certificate is renewed with a renew token,
// automatically or with --mtls=false, when its provisioner allows renewal
// after expiry; otherwise the refusal says so.
func TestCLIRenewExpired(t *testing.T) {
	opts := caOptions{setup: func(t *testing.T, ca *runningCA) {
		ca.backdatePKI(t)
		must(t, ca.env.step("ca", "provisioner", "add", "strict", "--type", "JWK", "--create",
			"--password-file", ca.Password, "--ca-config", ca.CAConfig))
		ca.setClaims(provisionerName, map[string]any{"minTLSCertDuration": "1s", "allowRenewalAfterExpiry": true})
		ca.setClaims("strict", map[string]any{"minTLSCertDuration": "1s"})
	}}
	forEachCAWith(t, opts, func(t *testing.T, ca *runningCA) {
		c := strideClient(t, ca)
		crt, key := ca.strideIssue(t, c, "late.example.com", "--provisioner", provisionerName, "--not-after", "3s")
		auto, autoKey := ca.strideIssue(t, c, "auto.example.com", "--provisioner", provisionerName, "--not-after", "3s")
		strict, strictKey := ca.strideIssue(t, c, "strict.example.com", "--provisioner", "strict", "--not-after", "3s")
		old := readCert(t, crt)
		var last time.Time
		for _, p := range []string{crt, auto, strict} {
			if na := readCert(t, p).NotAfter; na.After(last) {
				last = na
			}
		}
		time.Sleep(time.Until(last) + 1500*time.Millisecond)
		must(t, c.stride("ca", "renew", "--mtls=false", "--force", crt, key))
		renewed := readCert(t, crt)
		if renewed.SerialNumber.Cmp(old.SerialNumber) == 0 || !renewed.NotAfter.After(old.NotAfter) {
			t.Errorf("renewal after expiry: serial %v (old %v), NotAfter %v (old %v)", renewed.SerialNumber, old.SerialNumber, renewed.NotAfter, old.NotAfter)
		}
		must(t, c.stride("ca", "renew", "--force", auto, autoKey)) // expired: a token, as step does
		r := c.stride("ca", "renew", "--force", strict, strictKey)
		refused(t, r, "expired")
		refused(t, r, "allowRenewalAfterExpiry")
	})
}

// restart stops the CA (SIGTERM), leaves it down for down, and starts it
// again on the same port.
func (ca *runningCA) restart(down time.Duration) {
	ca.t.Helper()
	ca.stop()
	time.Sleep(down)
	ca.exited = make(chan struct{})
	ca.start()
}

// TestCLIDaemon: `ca renew --daemon` renews a 2-minute certificate when a
// third of it is left, runs --exec each time, keeps going across a 10-second
// outage of the CA and stops cleanly on SIGTERM.
func TestCLIDaemon(t *testing.T) {
	opts := caOptions{strideOnly: "the daemon is the CLI's; one server is enough", setup: func(t *testing.T, ca *runningCA) {
		ca.setClaims(provisionerName, map[string]any{"minTLSCertDuration": "1s", "allowRenewalAfterExpiry": true})
		ca.editConfig(func(cfg map[string]any) { cfg["authority"].(map[string]any)["backdate"] = "1s" })
	}}
	forEachCAWith(t, opts, func(t *testing.T, ca *runningCA) {
		c := strideClient(t, ca)
		// Issue 5's acceptance: a 2-minute certificate, renewed at least twice,
		// --exec each time, across a 10-second outage of the CA.
		crt, key := ca.strideIssue(t, c, "d.example.com", "--not-after", "2m")
		first := readCert(t, crt)
		execLog := c.path("exec.log")
		d, log := c.startStride(t, "ca", "renew", "--daemon", "--exec", "echo x >> "+execLog, crt, key)
		renewals := func() int { b, _ := os.ReadFile(execLog); return strings.Count(string(b), "x\n") }
		// A third of 2 minutes left, less up to 6 s of jitter: 74-80 s in.
		waitFor(t, 110*time.Second, "a first renewal", log, func() bool { return renewals() >= 1 })
		renewedAt := time.Now()
		// Take the CA away for 10 s around the next renewal, due 74-80 s after the first.
		time.Sleep(time.Until(renewedAt.Add(70 * time.Second)))
		ca.restart(10 * time.Second)
		waitFor(t, 60*time.Second, "a renewal after the outage", log, func() bool { return renewals() >= 2 })
		if alive := d.ProcessState == nil; !alive {
			t.Fatalf("the daemon stopped:\n%s", log)
		}
		if err := d.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- d.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("the daemon exited with %v on SIGTERM:\n%s", err, log)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("the daemon ignored SIGTERM:\n%s", log)
		}
		last := ca.checkLeaf(t, c, crt, "d.example.com")
		if last.SerialNumber.Cmp(first.SerialNumber) == 0 || strings.Count(log.String(), "renewed "+crt) < 2 {
			t.Errorf("serial unchanged or renewals not logged:\n%s", log)
		}
		t.Logf("daemon log:\n%s", log)
	})
}

// startStride starts `stride args…` in the background; its stderr and stdout
// go to the returned buffer. Cleanup kills it if it still runs.
func (e *env) startStride(t *testing.T, args ...string) (*exec.Cmd, *lockedBuffer) {
	t.Helper()
	cmd := exec.Command(filepath.Join(binDir, "stride"), args...)
	cmd.Dir = e.dir
	cmd.Env = append(os.Environ(), "STRIDEPATH="+e.stridePath, "STEPPATH="+e.stepPath, "HOME="+e.dir)
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return cmd, out
}

func waitFor(t *testing.T, limit time.Duration, what string, log *lockedBuffer, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within %v:\n%s", what, limit, log)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
