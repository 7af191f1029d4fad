// Package e2e drives the built `stride` and `stride-ca` binaries the way a
// user does, against real peers: openssl, the step CLI, step-ca and zlint.
// TestMain builds the binaries once and installs missing peers with
// scripts/tools.sh (idempotent), so `go test ./test/e2e` works on its own.
package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

var (
	repoRoot string
	binDir   string // stride, stride-ca
	toolsDir string // step, step-ca, zlint, lego (certbot is Debian's)
)

func TestMain(m *testing.M) {
	code, err := setup()
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e setup:", err)
		os.Exit(1)
	}
	if code == 0 {
		code = m.Run()
	}
	os.RemoveAll(binDir)
	os.Exit(code)
}

func setup() (int, error) {
	_, file, _, _ := runtime.Caller(0)
	repoRoot = filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
	toolsDir = filepath.Join(repoRoot, ".tools", "bin")
	var err error
	if binDir, err = os.MkdirTemp("", "stride-e2e-bin"); err != nil {
		return 1, err
	}
	build := exec.Command("go", "build", "-o", binDir+"/", "./cmd/stride", "./cmd/stride-ca")
	build.Dir = repoRoot
	if out, err := build.CombinedOutput(); err != nil {
		return 1, fmt.Errorf("building binaries: %v\n%s", err, out)
	}
	_, noCertbot := exec.LookPath("certbot")
	for _, tool := range []string{"step", "step-ca", "zlint", "lego"} {
		if _, err := os.Stat(filepath.Join(toolsDir, tool)); err != nil || noCertbot != nil {
			install := exec.Command("bash", filepath.Join(repoRoot, "scripts", "tools.sh"))
			install.Stdout, install.Stderr = os.Stderr, os.Stderr
			if err := install.Run(); err != nil {
				return 1, fmt.Errorf("installing peers with scripts/tools.sh: %v", err)
			}
			break
		}
	}
	// The machine may point trust at the system bundle; tests pass their roots explicitly.
	for _, v := range []string{"SSL_CERT_FILE", "SSL_CERT_DIR", "STEPPATH", "STRIDEPATH"} {
		os.Unsetenv(v)
	}
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "STRIDE_") || strings.HasPrefix(kv, "STEP_") {
			os.Unsetenv(strings.SplitN(kv, "=", 2)[0])
		}
	}
	return 0, nil
}

// result is what a command printed and how it exited.
type result struct {
	stdout, stderr string
	code           int
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}

// env is a test's environment: its own $STRIDEPATH and $STEPPATH.
type env struct {
	t                    *testing.T
	dir                  string
	stridePath, stepPath string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	dir := t.TempDir()
	e := &env{t: t, dir: dir, stridePath: filepath.Join(dir, "stride"), stepPath: filepath.Join(dir, "step")}
	return e
}

func (e *env) path(name string) string { return filepath.Join(e.dir, name) }

// write creates a file in the test folder and returns its path.
func (e *env) write(name, content string) string {
	e.t.Helper()
	p := e.path(name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		e.t.Fatal(err)
	}
	return p
}

func (e *env) exec(bin string, stdin string, args ...string) result {
	e.t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = e.dir
	cmd.Env = append(os.Environ(), "STRIDEPATH="+e.stridePath, "STEPPATH="+e.stepPath, "HOME="+e.dir)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		e.t.Fatalf("running %s: %v", bin, err)
	}
	return result{out.String(), errb.String(), code}
}

// stride runs our CLI.
func (e *env) stride(args ...string) result {
	return e.exec(filepath.Join(binDir, "stride"), "", args...)
}

// strideCA runs our server binary.
func (e *env) strideCA(args ...string) result {
	return e.exec(filepath.Join(binDir, "stride-ca"), "", args...)
}

// step runs the real step CLI.
func (e *env) step(args ...string) result {
	return e.exec(filepath.Join(toolsDir, "step"), "", args...)
}

// openssl runs the system's openssl.
func (e *env) openssl(args ...string) result {
	return e.exec("openssl", "", args...)
}

// must fails the test unless r exited 0.
func must(t *testing.T, r result) result {
	t.Helper()
	if r.code != 0 {
		t.Fatalf("command failed: %s", r)
	}
	return r
}

// mustFail checks a refused command: non-zero exit, a one-line error that
// contains want, and no Go stack trace.
func mustFail(t *testing.T, r result, want string) {
	t.Helper()
	if r.code == 0 {
		t.Fatalf("command succeeded, want failure with %q: %s", want, r)
	}
	msg := strings.TrimSpace(r.stderr)
	if strings.Contains(msg, "goroutine ") || strings.Contains(msg, "panic:") {
		t.Fatalf("stack trace in error output: %s", r)
	}
	if strings.Count(msg, "\n") > 0 {
		t.Fatalf("error is not one line: %q", msg)
	}
	if !strings.Contains(strings.ToLower(msg), strings.ToLower(want)) {
		t.Fatalf("error %q does not mention %q", msg, want)
	}
}
