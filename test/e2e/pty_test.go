package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// ptySession runs a command on a pseudo-terminal so that it sees a real
// terminal on stdin, stdout and stderr, as a person at a shell would.
type ptySession struct {
	t      *testing.T
	master *os.File
	cmd    *exec.Cmd
	mu     sync.Mutex
	buf    bytes.Buffer
	seen   int // bytes of buf already matched by expect
	done   chan struct{}
}

func openPTY() (master, slave *os.File, err error) {
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, err
	}
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		m.Close()
		return nil, nil, fmt.Errorf("unlocking pty: %w", err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		m.Close()
		return nil, nil, fmt.Errorf("pty number: %w", err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		m.Close()
		return nil, nil, err
	}
	return m, s, nil
}

func (e *env) startPTY(args ...string) *ptySession {
	e.t.Helper()
	m, s, err := openPTY()
	if err != nil {
		e.t.Fatalf("opening a pseudo-terminal: %v", err)
	}
	cmd := exec.Command(filepath.Join(binDir, "stride"), args...)
	cmd.Dir = e.dir
	cmd.Env = append(os.Environ(), "STRIDEPATH="+e.stridePath, "HOME="+e.dir, "TERM=dumb")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = s, s, s
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	s.Close()
	p := &ptySession{t: e.t, master: m, cmd: cmd, done: make(chan struct{})}
	go p.read()
	e.t.Cleanup(func() { cmd.Process.Kill(); m.Close() })
	return p
}

func (p *ptySession) read() {
	defer close(p.done)
	b := make([]byte, 4096)
	for {
		n, err := p.master.Read(b)
		p.mu.Lock()
		p.buf.Write(b[:n])
		p.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// expect waits until the output after the last match contains s.
func (p *ptySession) expect(s string) {
	p.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		p.mu.Lock()
		out := p.buf.String()
		if i := strings.Index(out[p.seen:], s); i >= 0 {
			p.seen += i + len(s)
			p.mu.Unlock()
			return
		}
		p.mu.Unlock()
		time.Sleep(20 * time.Millisecond)
	}
	p.t.Fatalf("timed out waiting for %q; output so far:\n%s", s, p.output())
}

// send types a line.
func (p *ptySession) send(line string) {
	p.t.Helper()
	if _, err := p.master.Write([]byte(line + "\r")); err != nil {
		p.t.Fatal(err)
	}
}

func (p *ptySession) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.buf.String()
}

// wait returns the exit code once the command ends.
func (p *ptySession) wait() int {
	p.t.Helper()
	err := p.cmd.Wait()
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
	}
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err != nil {
		p.t.Fatal(err)
	}
	return 0
}
