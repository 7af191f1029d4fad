package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/stride-pki/stride/internal/pemutil"
)

// Bounds on waiting for a server: to answer /health after it starts, and to
// exit after SIGTERM before it is killed.
const (
	healthTimeout = 30 * time.Second
	stopTimeout   = 10 * time.Second
)

// provisionerName is the JWK provisioner `step ca init` creates for the run.
const provisionerName = "bench"

// pki is one CA's throw-away directory, initialised by the real step CLI.
type pki struct {
	dir, caJSON, password, root string
	port                        int
}

// URL is the CA's base URL.
func (p *pki) URL() string { return "https://127.0.0.1:" + strconv.Itoa(p.port) }

// initPKI runs `step ca init` with STEPPATH=dir, for a standalone CA on a
// free loopback port whose provisioner and keys share one password.
func initPKI(ctx context.Context, step, dir string) (*pki, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	p := &pki{dir: dir, port: port, caJSON: filepath.Join(dir, "config", "ca.json"),
		password: filepath.Join(dir, "password"), root: filepath.Join(dir, "certs", "root_ca.crt")}
	if err := os.WriteFile(p.password, []byte("bench-password\n"), 0o600); err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, step, "ca", "init", "--name", "Bench",
		"--dns", "localhost", "--dns", "127.0.0.1", "--address", "127.0.0.1:"+strconv.Itoa(port),
		"--provisioner", provisionerName, "--password-file", p.password,
		"--provisioner-password-file", p.password, "--deployment-type", "standalone")
	cmd.Env = append(os.Environ(), "STEPPATH="+dir, "HOME="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("step ca init: %w\n%s", err, out)
	}
	return p, nil
}

// setDB replaces the "db" member of ca.json, leaving every other member as
// step wrote it.
func (p *pki) setDB(db map[string]any) error {
	b, err := os.ReadFile(p.caJSON)
	if err != nil {
		return err
	}
	var cfg map[string]any
	if err := json.Unmarshal(b, &cfg); err != nil {
		return fmt.Errorf("%s: %w", p.caJSON, err)
	}
	cfg["db"] = db
	if b, err = json.MarshalIndent(cfg, "", "\t"); err != nil {
		return err
	}
	return os.WriteFile(p.caJSON, b, 0o600)
}

// useBolt points the CA at a bbolt file inside its directory.
func (p *pki) useBolt() error {
	return p.setDB(map[string]any{"type": "bbolt", "dataSource": filepath.Join(p.dir, "db", "bolt.db")})
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// process is a CA server this command started; stop ends it.
type process struct {
	cmd    *exec.Cmd
	exited chan struct{}
	err    error // set when exited is closed
}

// startServer runs `bin CA_JSON --password-file F` (step-ca's flags, which
// stride-ca shares) with its output in dir/server.log, in its own process
// group so a Ctrl-C reaches only this command, which then stops it.
func startServer(bin string, p *pki) (*process, error) {
	log, err := os.Create(filepath.Join(p.dir, "server.log"))
	if err != nil {
		return nil, err
	}
	defer log.Close()
	cmd := exec.Command(bin, p.caJSON, "--password-file", p.password)
	cmd.Env = append(os.Environ(), "STEPPATH="+p.dir, "HOME="+p.dir)
	cmd.Stdout, cmd.Stderr = log, log
	// Pdeathsig: should this command die without stopping it, the server
	// still gets a SIGTERM.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	pr := &process{cmd: cmd, exited: make(chan struct{})}
	go func() { pr.err = cmd.Wait(); close(pr.exited) }()
	return pr, nil
}

// PID is the server's process ID.
func (pr *process) PID() int { return pr.cmd.Process.Pid }

// stop sends SIGTERM, waits up to stopTimeout, then kills the process.
func (pr *process) stop() {
	select {
	case <-pr.exited:
		return
	default:
	}
	_ = pr.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-pr.exited:
	case <-time.After(stopTimeout):
		_ = pr.cmd.Process.Kill()
		<-pr.exited
	}
}

// waitHealthy polls GET /health until it answers 200, the server exits, or
// healthTimeout passes.
func waitHealthy(ctx context.Context, pr *process, p *pki) error {
	root, err := pemutil.ReadCertificate(p.root)
	if err != nil {
		return err
	}
	pool := x509.NewCertPool()
	pool.AddCert(root)
	hc := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	defer hc.CloseIdleConnections()
	deadline := time.Now().Add(healthTimeout)
	for time.Now().Before(deadline) {
		if resp, err := hc.Get(p.URL() + "/health"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-pr.exited:
			return fmt.Errorf("the server exited (%v); its log ends:\n%s", pr.err, logTail(p, 8))
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return errors.New("the server did not answer /health within " + healthTimeout.String())
}

// logTail returns the last n lines of the server's log, for an error message
// that outlives the temp dir.
func logTail(p *pki, n int) string {
	b, err := os.ReadFile(filepath.Join(p.dir, "server.log"))
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return "  " + strings.Join(lines[max(0, len(lines)-n):], "\n  ")
}
