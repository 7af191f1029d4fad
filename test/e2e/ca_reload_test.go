package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestCAProvisionerAddReload: `step ca provisioner add` edits ca.json while
// the server runs; the started PID reloads on SIGHUP and the new provisioner
// issues (with a token minted after the reload).
func TestCAProvisionerAddReload(t *testing.T) {
	t.Parallel()
	forEachCA(t, func(t *testing.T, ca *runningCA) {
		c := ca.client(t)
		pid := ca.PID()
		r := must(t, ca.env.step("ca", "provisioner", "add", "newprov", "--type", "JWK", "--create",
			"--password-file", ca.Password, "--ca-config", ca.CAConfig))
		if !strings.Contains(r.stdout+r.stderr, "SIGHUP") {
			t.Errorf("step did not ask for a SIGHUP (did it find an admin API?): %s", r)
		}
		newprov := []string{"--provisioner", "newprov", "--provisioner-password-file", ca.Password}
		// Not served before the reload.
		refused(t, c.step(append([]string{"ca", "certificate", "early.example.com", c.path("early.crt"), c.path("early.key")},
			newprov...)...), "newprov")

		ca.sighup()
		if ca.PID() != pid || !ca.alive() {
			t.Fatalf("the server did not stay in the foreground across SIGHUP")
		}
		r = must(t, c.step("ca", "provisioner", "list"))
		if !strings.Contains(r.stdout, `"newprov"`) {
			t.Errorf("newprov is not listed after the reload: %s", r.stdout)
		}
		must(t, c.step(append([]string{"ca", "certificate", "x.example.com", c.path("x.crt"), c.path("x.key")}, newprov...)...))
		ca.checkLeaf(t, c, c.path("x.crt"), "x.example.com")
		// The first provisioner still works.
		ca.issue(t, c, "y.example.com")
		ca.checkLeaf(t, c, c.path("y.example.com.crt"), "y.example.com")
	})
}

// TestCAReloadUnderLoad: SIGHUP five times while a pool signs ~200 requests
// with tokens minted beforehand; not one request may fail.
func TestCAReloadUnderLoad(t *testing.T) {
	t.Parallel()
	opts := caOptions{strideOnly: "step-ca's reload resets the token iat floor, so pre-minted tokens fail; zero failures is stride's promise"}
	forEachCAWith(t, opts, func(t *testing.T, ca *runningCA) {
		const n, workers = 200, 8
		m, hc := ca.minter(t, provisionerName), ca.httpClient()
		type req struct{ csr, ott string }
		reqs := make(chan req, n)
		for i := range n {
			sub := fmt.Sprintf("load-%d.example.com", i)
			reqs <- req{makeCSR(t, sub, sub), m.signToken(t, sub)}
		}
		close(reqs)

		var ok, failed atomic.Int32
		var mu sync.Mutex
		var failures []string
		var wg sync.WaitGroup
		tick := time.NewTicker(3 * time.Second / n) // spread over ~3 s
		defer tick.Stop()
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for r := range reqs {
					<-tick.C
					code, body, err := postSign(hc, ca.URL, r.csr, r.ott)
					if err == nil && code == 201 {
						ok.Add(1)
						continue
					}
					failed.Add(1)
					mu.Lock()
					failures = append(failures, fmt.Sprintf("%d %v %s", code, err, body))
					mu.Unlock()
				}
			}()
		}
		for range 5 {
			time.Sleep(500 * time.Millisecond)
			if err := ca.cmd.Process.Signal(syscall.SIGHUP); err != nil {
				t.Fatalf("SIGHUP: %v", err)
			}
		}
		wg.Wait()
		if failed.Load() != 0 || ok.Load() != n {
			t.Errorf("%d of %d requests failed during reloads; first: %v", failed.Load(), n, failures[:min(len(failures), 3)])
		}
		if !ca.alive() {
			t.Fatalf("the server died under reloads")
		}
		if err := ca.waitHealthy(5 * time.Second); err != nil {
			t.Fatal(err)
		}
	})
}

// postSign is a goroutine-safe POST /sign (no t.Fatal).
func postSign(c *http.Client, url, csr, ott string) (int, string, error) {
	b, _ := json.Marshal(map[string]string{"csr": csr, "ott": ott})
	resp, err := c.Post(url+"/sign", "application/json", bytes.NewReader(b))
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode == 201 {
		body = nil
	}
	return resp.StatusCode, string(body), nil
}

// TestCAReloadRefusesBadConfig: a SIGHUP with a broken ca.json (a bad
// field, then bad JSON) keeps the running configuration serving and logs
// one error naming the file; a fixed file then reloads.
func TestCAReloadRefusesBadConfig(t *testing.T) {
	t.Parallel()
	opts := caOptions{strideOnly: "stride's reload promise (one clear error, old config keeps serving)"}
	forEachCAWith(t, opts, func(t *testing.T, ca *runningCA) {
		c := ca.client(t)
		good, err := os.ReadFile(ca.CAConfig)
		if err != nil {
			t.Fatal(err)
		}
		for i, bad := range []string{
			strings.Replace(string(good), `"address"`, `"address": 5, "x"`, 1),
			strings.Replace(string(good), `"dnsNames"`, `"dnsNames": [], "db": {"type": "nosuchdb"}, "y"`, 1),
		} {
			if err := os.WriteFile(ca.CAConfig, []byte(bad), 0o600); err != nil {
				t.Fatal(err)
			}
			before := strings.Count(ca.Log(), "reload refused")
			if err := syscall.Kill(ca.PID(), syscall.SIGHUP); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(10 * time.Second)
			for strings.Count(ca.Log(), "reload refused") == before && time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
			}
			if strings.Count(ca.Log(), "reload refused") != before+1 || !strings.Contains(ca.logTail(5), "ca.json") {
				t.Fatalf("case %d: no single reload error naming ca.json:\n%s", i, ca.logTail(10))
			}
			ca.issue(t, c, fmt.Sprintf("still%d.example.com", i))
		}
		if err := os.WriteFile(ca.CAConfig, good, 0o600); err != nil {
			t.Fatal(err)
		}
		ca.sighup()
		ca.issue(t, c, "after.example.com")
	})
}
