package e2e

// The online-CA harness: every scenario runs once against the reference
// step-ca and once against stride-ca, each a subtest named after the server
// ("step-ca/…", "stride-ca/…"). Both serve a PKI made by the real
// `step ca init`, with bbolt storage, started in the foreground as
// `<server> CA_JSON --password-file F`.
//
// STRIDE_E2E_SERVERS=step-ca,stride-ca (the default) selects the servers.

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const (
	stepCA   = "step-ca"
	strideCA = "stride-ca"

	provisionerName = "admin@example.com"
)

// reloadDone matches the log line a server writes once a SIGHUP reload has
// finished and the new configuration serves requests.
var reloadDone = map[string]*regexp.Regexp{
	stepCA:   regexp.MustCompile(`Serving HTTPS on `), // after "reloading ..."
	strideCA: regexp.MustCompile(`(?i)reloaded`),
}

// e2eServers is read before TestMain clears STRIDE_* from the environment.
var e2eServers = os.Getenv("STRIDE_E2E_SERVERS")

// caServers lists the servers selected by STRIDE_E2E_SERVERS.
func caServers() []string {
	v := strings.TrimSpace(e2eServers)
	if v == "" {
		return []string{stepCA, strideCA}
	}
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// caOptions shape a CA before it starts.
type caOptions struct {
	// setup runs after `step ca init` and the switch to bbolt, before the
	// server starts; it may run step commands in ca.env (the CA's STEPPATH)
	// or edit ca.json with ca.editConfig.
	setup func(t *testing.T, ca *runningCA)
	// strideOnly, when set, says why the reference server is not held to
	// this scenario: it is skipped against step-ca before anything starts.
	strideOnly string
	// stepCAOnly, when set, says why stride-ca is not held to this scenario
	// (a feature it does not have yet): it runs against step-ca alone, as a
	// subtest named step-ca, and not at all when STRIDE_E2E_SERVERS leaves
	// step-ca out.
	stepCAOnly string
	// initArgs are more `step ca init` flags, e.g. --ssh.
	initArgs []string
}

// forEachCA runs fn as a parallel subtest per selected server, each with a
// freshly initialised and started CA.
func forEachCA(t *testing.T, fn func(t *testing.T, ca *runningCA)) {
	t.Helper()
	forEachCAWith(t, caOptions{}, fn)
}

func forEachCAWith(t *testing.T, opts caOptions, fn func(t *testing.T, ca *runningCA)) {
	t.Helper()
	for _, kind := range caServers() {
		// A stride-only scenario is not run against the reference server at
		// all (no skipped subtests): it promises something step-ca does not.
		if opts.strideOnly != "" && kind != strideCA {
			continue
		}
		if opts.stepCAOnly != "" && kind != stepCA {
			continue
		}
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			fn(t, startCA(t, kind, opts))
		})
	}
}

// heldTo reports whether ca is held to a case: stride-only cases (why is
// not empty) are promises the reference server does not make.
func heldTo(ca *runningCA, why string) bool { return why == "" || ca.kind == strideCA }

// runningCA is a started server and the PKI it serves.
type runningCA struct {
	t           *testing.T
	kind        string // step-ca or stride-ca
	env         *env   // the CA's side: STEPPATH holds the PKI
	URL         string // https://127.0.0.1:PORT
	Port        int
	Root        string   // root certificate path
	Fingerprint string   // hex SHA-256 of the root's DER
	CAConfig    string   // ca.json path
	Password    string   // password file: intermediate key and provisioners
	Args        []string // more server flags (set by a setup), after the password file
	cmd         *exec.Cmd
	log         *lockedBuffer
	exited      chan struct{}
	rootPool    *x509.CertPool
}

// startCA initialises a PKI with the real step CLI, switches storage to
// bbolt, applies opts and starts kind in the foreground, waiting until
// /health answers. Cleanup stops it (SIGTERM, then kill).
func startCA(t *testing.T, kind string, opts caOptions) *runningCA {
	t.Helper()
	e := newEnv(t)
	port := freePort(t)
	ca := &runningCA{t: t, kind: kind, env: e, Port: port, URL: fmt.Sprintf("https://127.0.0.1:%d", port),
		Root: filepath.Join(e.stepPath, "certs", "root_ca.crt"), CAConfig: filepath.Join(e.stepPath, "config", "ca.json"),
		Password: e.write("pw", testPassword+"\n"), log: &lockedBuffer{}, exited: make(chan struct{})}
	args := append([]string{"ca", "init", "--name", "E2E", "--dns", "localhost", "--dns", "127.0.0.1",
		"--address", fmt.Sprintf("127.0.0.1:%d", port), "--provisioner", provisionerName,
		"--password-file", ca.Password, "--provisioner-password-file", ca.Password, "--deployment-type", "standalone"}, opts.initArgs...)
	r := must(t, e.step(args...))
	if fp := ca.rootFingerprint(); !strings.Contains(r.stdout+r.stderr, fp) {
		t.Fatalf("step ca init did not print the root fingerprint %s: %s", fp, r)
	}
	ca.editConfig(func(cfg map[string]any) {
		cfg["db"] = map[string]any{"type": "bbolt", "dataSource": filepath.Join(e.stepPath, "db", "bolt.db")}
	})
	if opts.setup != nil {
		opts.setup(t, ca)
	}
	ca.Fingerprint = ca.rootFingerprint() // setup may have replaced the root
	ca.rootPool = x509.NewCertPool()
	ca.rootPool.AddCert(readCert(t, ca.Root))
	ca.start()
	return ca
}

func (ca *runningCA) rootFingerprint() string {
	sum := sha256.Sum256(readCert(ca.t, ca.Root).Raw)
	return hex.EncodeToString(sum[:])
}

func (ca *runningCA) start() {
	t := ca.t
	t.Helper()
	bin := filepath.Join(toolsDir, stepCA)
	if ca.kind == strideCA {
		bin = filepath.Join(binDir, strideCA)
	}
	cmd := exec.Command(bin, append([]string{ca.CAConfig, "--password-file", ca.Password}, ca.Args...)...)
	cmd.Dir = ca.env.dir
	cmd.Env = append(os.Environ(), "STEPPATH="+ca.env.stepPath, "STRIDEPATH="+ca.env.stepPath, "HOME="+ca.env.dir)
	cmd.Stdout, cmd.Stderr = ca.log, ca.log
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", ca.kind, err)
	}
	ca.cmd = cmd
	go func() { cmd.Wait(); close(ca.exited) }()
	t.Cleanup(ca.stop)
	if err := ca.waitHealthy(20 * time.Second); err != nil {
		t.Fatalf("%s did not become healthy: %v\n--- server log ---\n%s", ca.kind, err, ca.Log())
	}
	waitNextSecond() // tokens' iat (whole seconds) must not precede the CA's start
}

// stop ends the server: SIGTERM, up to 10 s grace, then SIGKILL.
func (ca *runningCA) stop() {
	select {
	case <-ca.exited:
		return
	default:
	}
	ca.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-ca.exited:
	case <-time.After(10 * time.Second):
		ca.t.Errorf("%s ignored SIGTERM for 10 s; killing it", ca.kind)
		ca.cmd.Process.Kill()
		<-ca.exited
	}
	if ca.t.Failed() {
		ca.t.Logf("--- %s log (tail) ---\n%s", ca.kind, ca.logTail(40))
	}
}

// PID is the started process: the server must stay in the foreground.
func (ca *runningCA) PID() int { return ca.cmd.Process.Pid }

// Log is what the server printed so far (stdout and stderr).
func (ca *runningCA) Log() string { return ca.log.String() }

// logTail is the last n lines of the log, each cut to 400 bytes (step-ca
// logs whole certificates and tokens).
func (ca *runningCA) logTail(n int) string {
	lines := strings.Split(strings.TrimRight(ca.Log(), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	for i, l := range lines {
		if len(l) > 400 {
			lines[i] = l[:400] + "…"
		}
	}
	return strings.Join(lines, "\n")
}

// alive reports whether the started process still runs.
func (ca *runningCA) alive() bool {
	select {
	case <-ca.exited:
		return false
	default:
		return true
	}
}

// sighup asks the started PID to reload and waits until the reload is done
// (the server logs it and /health answers), then until the next whole second
// so that fresh tokens are not "issued before the bootstrap".
func (ca *runningCA) sighup() {
	t := ca.t
	t.Helper()
	before := len(reloadDone[ca.kind].FindAllStringIndex(ca.Log(), -1))
	if err := ca.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatalf("SIGHUP to %s (pid %d): %v", ca.kind, ca.PID(), err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(reloadDone[ca.kind].FindAllStringIndex(ca.Log(), -1)) <= before {
		if !ca.alive() {
			t.Fatalf("%s exited on SIGHUP:\n%s", ca.kind, ca.Log())
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not log a finished reload (%s) within 10 s:\n%s", ca.kind, reloadDone[ca.kind], ca.Log())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := ca.waitHealthy(10 * time.Second); err != nil {
		t.Fatalf("%s unhealthy after SIGHUP: %v\n%s", ca.kind, err, ca.Log())
	}
	waitNextSecond()
}

// waitHealthy polls GET /health (short per-try timeout) until it answers
// {"status":"ok"}, the process exits, or the deadline passes.
func (ca *runningCA) waitHealthy(limit time.Duration) error {
	c := ca.httpClient()
	c.Timeout = time.Second
	deadline := time.Now().Add(limit)
	var last error
	for time.Now().Before(deadline) {
		if !ca.alive() {
			return fmt.Errorf("the process exited (%v)", ca.cmd.ProcessState)
		}
		resp, err := c.Get(ca.URL + "/health")
		if err == nil {
			var body struct{ Status string }
			err = json.NewDecoder(resp.Body).Decode(&body)
			resp.Body.Close()
			if err == nil && resp.StatusCode == 200 && body.Status == "ok" {
				return nil
			}
			last = fmt.Errorf("status %d, %+v, %v", resp.StatusCode, body, err)
		} else {
			last = err
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("no healthy answer within %v: %v", limit, last)
}

// httpClient trusts only the CA's root.
func (ca *runningCA) httpClient() *http.Client {
	return &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: ca.rootPool}, ForceAttemptHTTP2: true, MaxIdleConnsPerHost: 64}}
}

// client is a fresh step client (its own STEPPATH) that has run
// `step ca bootstrap --ca-url --fingerprint`.
func (ca *runningCA) client(t *testing.T) *env {
	t.Helper()
	c := newEnv(t)
	must(t, c.step("ca", "bootstrap", "--ca-url", ca.URL, "--fingerprint", ca.Fingerprint))
	return c
}

// editConfig rewrites ca.json through a generic JSON map (unknown keys kept).
func (ca *runningCA) editConfig(edit func(cfg map[string]any)) {
	t := ca.t
	t.Helper()
	b, err := os.ReadFile(ca.CAConfig)
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	if err := json.Unmarshal(b, &cfg); err != nil {
		t.Fatalf("ca.json: %v", err)
	}
	edit(cfg)
	if b, err = json.MarshalIndent(cfg, "", "\t"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(ca.CAConfig, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// setClaims sets a provisioner's claims in ca.json.
func (ca *runningCA) setClaims(provisioner string, claims map[string]any) {
	ca.t.Helper()
	found := false
	ca.editConfig(func(cfg map[string]any) {
		for _, p := range cfg["authority"].(map[string]any)["provisioners"].([]any) {
			if pm := p.(map[string]any); pm["name"] == provisioner {
				pm["claims"] = claims
				found = true
			}
		}
	})
	if !found {
		ca.t.Fatalf("no provisioner %q in ca.json", provisioner)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// waitNextSecond sleeps past the next whole second (JWT times are seconds).
func waitNextSecond() {
	now := time.Now()
	time.Sleep(now.Truncate(time.Second).Add(time.Second + 20*time.Millisecond).Sub(now))
}

// lockedBuffer collects a process's output while tests read it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// readCerts parses every certificate of a PEM file.
func readCerts(t *testing.T, path string) []*x509.Certificate {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []*x509.Certificate
	for {
		var blk *pem.Block
		if blk, b = pem.Decode(b); blk == nil {
			break
		}
		if blk.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		t.Fatalf("%s holds no certificate", path)
	}
	return out
}

func readCert(t *testing.T, path string) *x509.Certificate { t.Helper(); return readCerts(t, path)[0] }

// checkLeaf verifies an issued chain file (leaf first) with openssl against
// the CA root, lints the leaf with zlint, and checks its DNS/IP names.
func (ca *runningCA) checkLeaf(t *testing.T, e *env, crtPath string, wantNames ...string) *x509.Certificate {
	t.Helper()
	chain := readCerts(t, crtPath)
	leaf := chain[0]
	if len(chain) < 2 {
		t.Errorf("%s holds no intermediate after the leaf", crtPath)
	}
	r := must(t, e.openssl("verify", "-CAfile", ca.Root, "-untrusted", crtPath, crtPath))
	if !strings.Contains(r.stdout, ": OK") {
		t.Fatalf("openssl verify: %s", r)
	}
	leafPath := e.write(filepath.Base(crtPath)+".leaf.pem", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leaf.Raw})))
	zlintClean(t, e, leafPath)
	got := append([]string{}, leaf.DNSNames...)
	for _, ip := range leaf.IPAddresses {
		got = append(got, ip.String())
	}
	got = append(got, leaf.EmailAddresses...)
	for _, u := range leaf.URIs {
		got = append(got, u.String())
	}
	if len(wantNames) > 0 && !sameSet(got, wantNames) {
		t.Errorf("%s names %v, want %v", crtPath, got, wantNames)
	}
	return leaf
}

// zlintClean fails on any zlint error or fatal result for the sources we hold
// our leaves to.
func zlintClean(t *testing.T, e *env, pemPath string) {
	t.Helper()
	r := must(t, e.exec(filepath.Join(toolsDir, "zlint"), "",
		"-includeSources", "RFC5280,RFC3279,RFC5480,RFC5891,RFC8813,Community", pemPath))
	var res map[string]struct {
		Result string `json:"result"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
		t.Fatalf("zlint output: %v\n%s", err, r)
	}
	for name, v := range res {
		if v.Result == "error" || v.Result == "fatal" {
			t.Errorf("zlint %s: %s on %s", name, v.Result, pemPath)
		}
	}
}

// refused checks that a command failed and that its output mentions want
// (case-insensitive; "" accepts any message); the message is logged so that
// -v shows what each server says.
func refused(t *testing.T, r result, want string) {
	t.Helper()
	if r.code == 0 {
		t.Errorf("command succeeded, want a refusal mentioning %q: %s", want, r)
		return
	}
	msg := strings.TrimSpace(r.stderr + "\n" + r.stdout)
	t.Logf("refused (exit %d): %s", r.code, msg)
	if !strings.Contains(strings.ToLower(msg), strings.ToLower(want)) {
		t.Errorf("refusal does not mention %q: %s", want, r)
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]int{}
	for _, s := range a {
		seen[s]++
	}
	for _, s := range b {
		if seen[s]--; seen[s] < 0 {
			return false
		}
	}
	return true
}
