package e2e

// The ACME harness: a CA (step-ca or stride-ca, through startCA) with an ACME
// provisioner named "acme", a test DNS server given to it as --resolver (so
// that invented names like a.example.test resolve to 127.0.0.1), and helpers
// to run the real ACME clients (certbot, lego, the step CLI) against it.
//
// step-ca always validates http-01 on port 80 and tls-alpn-01 on port 443, so
// its clients bind 127.0.0.1:80 and :443 (the tests run as root) one scenario
// at a time; stride-ca gets free ports through the test-only ca.json member
// "acmeTestPorts", so its scenarios run side by side.
//
// Every certificate a client gets is checked (chain to the root with openssl,
// names, zlint); against stride-ca, once the scenario is over, the CA is
// stopped and each one must be in `stride ca certificates list` with the ACME
// provisioner (and revoked when the scenario revoked it).

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stride-pki/stride/internal/validation/dnstest"
)

const acmeProvisioner = "acme"

// acmeOptions shape an ACME scenario's CA.
type acmeOptions struct {
	// strideOnly, when set, says why step-ca is not held to the scenario.
	strideOnly string
	// provisioner holds more members of the ACME provisioner (requireEAB…).
	provisioner map[string]any
	// setup runs after the ACME provisioner is in ca.json.
	setup func(t *testing.T, ca *runningCA)
}

// acmeCA is a started CA with an ACME provisioner and its DNS.
type acmeCA struct {
	*runningCA
	DNS      *dnstest.Server
	Hook     *txtHook
	Dir      string // the ACME directory URL
	HTTPPort int    // where the CA validates http-01
	TLSPort  int    // where the CA validates tls-alpn-01

	mu     sync.Mutex
	issued []acmeIssued
}

// acmeIssued is a certificate a client got, as the inventory must show it.
type acmeIssued struct {
	serial  string
	names   []string
	revoked bool
	reason  int // RFC 5280 reason code, when revoked
}

// privPorts serialises the scenarios whose clients bind :80 or :443.
var privPorts sync.Mutex

// forEachACME runs fn as a parallel subtest per selected server (stride-ca
// only with opts.strideOnly).
func forEachACME(t *testing.T, opts acmeOptions, fn func(t *testing.T, a *acmeCA)) {
	t.Helper()
	for _, kind := range caServers() {
		if opts.strideOnly != "" && kind != strideCA {
			continue
		}
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			a := &acmeCA{DNS: startTestDNS(t), HTTPPort: 80, TLSPort: 443}
			a.Hook = startTXTHook(t, a.DNS)
			if kind == strideCA {
				a.HTTPPort, a.TLSPort = freePort(t), freePort(t)
			}
			a.runningCA = startCA(t, kind, caOptions{strideOnly: opts.strideOnly, setup: func(t *testing.T, ca *runningCA) {
				ca.editConfig(func(cfg map[string]any) {
					auth := cfg["authority"].(map[string]any)
					p := map[string]any{"type": "ACME", "name": acmeProvisioner}
					for k, v := range opts.provisioner {
						p[k] = v
					}
					auth["provisioners"] = append(auth["provisioners"].([]any), p)
					if kind == strideCA {
						cfg["acmeTestPorts"] = map[string]any{"http01": a.HTTPPort, "tlsalpn01": a.TLSPort}
					}
				})
				ca.Args = append(ca.Args, "--resolver", a.DNS.Addr())
				if opts.setup != nil {
					opts.setup(t, ca)
				}
			}})
			a.Dir = a.URL + "/acme/" + acmeProvisioner + "/directory"
			fn(t, a)
			if kind == strideCA && !t.Failed() {
				a.checkInventory(t)
			}
		})
	}
}

// holdPorts takes the :80/:443 lock when this CA validates there; the
// returned func releases it.
func (a *acmeCA) holdPorts() func() {
	if a.HTTPPort == 80 || a.TLSPort == 443 {
		privPorts.Lock()
		return privPorts.Unlock
	}
	return func() {}
}

// run runs a client with more environment (k=v) and a 3-minute limit; its
// output is logged so that -v shows what each server answered.
func (a *acmeCA) run(t *testing.T, e *env, extraEnv []string, bin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = e.dir
	cmd.Env = append(os.Environ(), "STEPPATH="+e.stepPath, "HOME="+e.dir)
	cmd.Env = append(cmd.Env, extraEnv...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running %s: %v", bin, err)
	}
	if ctx.Err() != nil {
		t.Errorf("%s %s: killed after 3 minutes", filepath.Base(bin), strings.Join(args, " "))
	}
	r := result{out.String(), errb.String(), code}
	t.Logf("%s %s (%.1fs, exit %d)", filepath.Base(bin), strings.ReplaceAll(strings.Join(args, " "), e.dir, "$T"), time.Since(start).Seconds(), code)
	return r
}

// issuedLeaf checks a certificate file a client wrote (leaf first, then the
// intermediate): the chain verifies to the root with openssl, the names are
// the requested ones, zlint finds nothing; the serial is kept for the
// inventory check.
func (a *acmeCA) issuedLeaf(t *testing.T, e *env, crtPath string, names ...string) string {
	t.Helper()
	return a.issuedLeafCert(t, e, crtPath, names...).SerialNumber.String()
}

// issuedLeafCert is issuedLeaf returning the leaf.
func (a *acmeCA) issuedLeafCert(t *testing.T, e *env, crtPath string, names ...string) *x509.Certificate {
	t.Helper()
	leaf := a.checkLeaf(t, e, crtPath, names...)
	a.mu.Lock()
	a.issued = append(a.issued, acmeIssued{serial: leaf.SerialNumber.String(), names: names})
	a.mu.Unlock()
	return leaf
}

// revoked notes that serial was revoked with reason.
func (a *acmeCA) revoked(serial string, reason int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for i := range a.issued {
		if a.issued[i].serial == serial {
			a.issued[i].revoked, a.issued[i].reason = true, reason
		}
	}
}

// checkInventory stops stride-ca (bbolt has one opener) and finds every
// issued certificate in `stride ca certificates list --format json`, issued
// by the ACME provisioner, revoked exactly when the scenario revoked it.
func (a *acmeCA) checkInventory(t *testing.T) {
	t.Helper()
	a.stop()
	r := must(t, a.env.stride("ca", "certificates", "list", "--ca-config", a.CAConfig, "--format", "json"))
	var list []struct {
		invRow
		ReasonCode *int `json:"revocationReasonCode"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil {
		t.Fatalf("inventory: not a JSON array: %v\n%s", err, r.stdout)
	}
	rows := map[string]int{}
	for i, r := range list {
		rows[r.Serial] = i
	}
	for _, want := range a.issued {
		i, ok := rows[want.serial]
		if !ok {
			t.Errorf("inventory: no certificate %s (%v) in\n%s", want.serial, want.names, r.stdout)
			continue
		}
		r := list[i]
		if r.Provisioner != acmeProvisioner {
			t.Errorf("inventory: %s was issued by provisioner %q, want %q", want.serial, r.Provisioner, acmeProvisioner)
		}
		if !sameSet(r.SANs, want.names) {
			t.Errorf("inventory: %s has SANs %v, want %v", want.serial, r.SANs, want.names)
		}
		if (r.RevokedAt != nil) != want.revoked {
			t.Errorf("inventory: %s revokedAt %v, want revoked=%v", want.serial, r.RevokedAt, want.revoked)
		}
		if want.revoked && (r.ReasonCode == nil || *r.ReasonCode != want.reason) {
			t.Errorf("inventory: %s revocation reason code %v, want %d", want.serial, r.ReasonCode, want.reason)
		}
	}
}

// wantOutput fails unless r's output mentions every string (case-insensitive).
func wantOutput(t *testing.T, what string, r result, wants ...string) {
	t.Helper()
	out := strings.ToLower(r.stdout + r.stderr)
	for _, w := range wants {
		if !strings.Contains(out, strings.ToLower(w)) {
			t.Errorf("%s: output does not mention %q:\n%s", what, w, r)
		}
	}
}

// mustRun fails the test unless r exited 0.
func mustRun(t *testing.T, what string, r result) result {
	t.Helper()
	if r.code != 0 {
		t.Fatalf("%s failed: %s", what, r)
	}
	return r
}

// failedRun fails the test unless r failed; it returns the output.
func failedRun(t *testing.T, what string, r result) string {
	t.Helper()
	if r.code == 0 {
		t.Errorf("%s succeeded, want a failure: %s", what, r)
	}
	return r.stdout + r.stderr
}

func port(n int) string { return fmt.Sprint(n) }
