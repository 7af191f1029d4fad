package e2e

// What stride-ca does when its store fails: killed with SIGKILL under load
// (nothing a client received is lost), a DSN that cannot work at start (one
// line, bounded time), and a database that goes away and comes back while
// it serves (503, then service again).

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stride-pki/stride/internal/storage"
	"github.com/stride-pki/stride/internal/storage/bolt"
	"github.com/stride-pki/stride/internal/storage/postgres"
)

// postSignBody is a goroutine-safe POST /sign returning the whole answer.
func postSignBody(c *http.Client, url, csr, ott string) (int, []byte, error) {
	b, _ := json.Marshal(map[string]string{"csr": csr, "ott": ott})
	resp, err := c.Post(url+"/sign", "application/json", bytes.NewReader(b))
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, body, err
}

// TestKillUnderLoad: SIGKILL stride-ca while a pool signs with pre-minted
// tokens; after a restart on the same config, every certificate a client
// received (a whole 201 answer) is in the store, read back with the storage
// package once the server is stopped again, and the store opens cleanly.
func TestKillUnderLoad(t *testing.T) {
	t.Parallel()
	for _, backend := range []string{"bbolt", "postgresql"} {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			var db string
			ca := startCA(t, strideCA, caOptions{setup: func(t *testing.T, ca *runningCA) {
				if backend == "postgresql" {
					db = perRunDatabase(t)
					ca.editConfig(func(cfg map[string]any) { cfg["db"] = dbConfig(backend, db) })
				}
			}})
			const n, workers, killAfter = 1500, 12, 150
			reqs := make(chan signReq, n)
			for _, r := range signRequests(t, ca.minter(t, provisionerName), "kill.example.com", n) {
				reqs <- r
			}
			close(reqs)

			hc := ca.httpClient()
			var mu sync.Mutex
			received := map[string][]byte{} // serial → DER, from whole 201 answers
			var count atomic.Int32
			var killed atomic.Bool
			var wg sync.WaitGroup
			for range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for r := range reqs {
						code, body, err := postSignBody(hc, ca.URL, r.csr, r.ott)
						if err != nil || code != 201 {
							if killed.Load() {
								return
							}
							t.Errorf("before the kill: %d %v %s", code, err, body)
							return
						}
						var resp struct{ Crt string }
						if json.Unmarshal(body, &resp) != nil {
							continue // cut mid-answer: not received
						}
						blk, _ := pem.Decode([]byte(resp.Crt))
						if blk == nil {
							t.Errorf("a 201 without a certificate: %s", body)
							continue
						}
						c, err := x509.ParseCertificate(blk.Bytes)
						if err != nil {
							t.Errorf("a 201 with a bad certificate: %v", err)
							continue
						}
						mu.Lock()
						received[c.SerialNumber.String()] = c.Raw
						mu.Unlock()
						count.Add(1)
					}
				}()
			}
			deadline := time.Now().Add(10 * time.Second)
			for count.Load() < killAfter && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
			killed.Store(true)
			ca.kill9()
			wg.Wait()
			if len(received) < killAfter/2 {
				t.Fatalf("only %d certificates received before the kill", len(received))
			}
			t.Logf("%d certificates received before SIGKILL", len(received))

			ca.restart(0)
			ca.signOnce(t, ca.minter(t, provisionerName), "after.example.com")
			ca.stop()

			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			var store storage.Store
			var err error
			if backend == "bbolt" {
				store, err = bolt.Open(filepath.Join(ca.env.stepPath, "db", "bolt.db"), bolt.Options{})
			} else {
				store, err = postgres.Open(ctx, postgres.Options{DataSource: sqlBackends[backend], Database: db})
			}
			if err != nil {
				t.Fatalf("the store does not open after kill -9 and restart: %v", err)
			}
			defer store.Close()
			missing := 0
			for serial, der := range received {
				c, err := store.Certificate(ctx, serial)
				switch {
				case err != nil:
					if missing++; missing <= 5 {
						t.Errorf("received certificate %s is not in the store: %v", serial, err)
					}
				case !bytes.Equal(c.DER, der):
					t.Errorf("certificate %s: the stored DER differs from the one received", serial)
				}
			}
			if missing > 0 {
				t.Errorf("%d of %d received certificates are missing after kill -9", missing, len(received))
			}
		})
	}
}

// blackHole is a loopback listener that accepts connections and never
// answers: a database host that does not respond.
func blackHole(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}

// TestBadDSNAtStart: a database stride-ca cannot reach (a closed port, or
// a host that accepts and never answers) makes it exit non-zero within
// ~10 s, with one line naming the address.
func TestBadDSNAtStart(t *testing.T) {
	t.Parallel()
	ca := startCA(t, strideCA, caOptions{})
	ca.stop()
	hole := blackHole(t)
	cases := []struct{ name, typ, dsn, addr string }{
		{"postgresql closed port", "postgresql", "postgresql://postgres@127.0.0.1:1/", "127.0.0.1:1"},
		{"mysql closed port", "mysql", "root@tcp(127.0.0.1:1)/", "127.0.0.1:1"},
		{"postgresql silent host", "postgresql", "postgresql://postgres@" + hole + "/", hole},
		{"mysql silent host", "mysql", "root@tcp(" + hole + ")/", hole},
	}
	for i, tc := range cases {
		cfg := ca.replica(t, fmt.Sprintf("bad-%d", i), map[string]any{"type": tc.typ, "dataSource": tc.dsn, "database": "stride_e2e_unused"})
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, filepath.Join(binDir, strideCA), cfg.CAConfig, "--password-file", ca.Password)
			cmd.Dir = ca.env.dir
			var out, errb bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errb
			begin := time.Now()
			err := cmd.Run()
			took := time.Since(begin)
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			t.Logf("exit %d after %v: %s", code, took.Round(time.Millisecond), strings.TrimSpace(errb.String()))
			if took > 10*time.Second {
				t.Errorf("stride-ca took %v to give up on %s", took, tc.addr)
			}
			mustFail(t, result{out.String(), errb.String(), code}, tc.addr)
		})
	}
}

// tcpProxy forwards a loopback port to a database; cut closes the listener
// and every connection, up listens again on the same port.
type tcpProxy struct {
	t      *testing.T
	target string
	addr   string
	mu     sync.Mutex
	ln     net.Listener
	conns  map[net.Conn]struct{}
	// stalled holds every byte in both directions: the database neither
	// answers nor closes, as behind a dead route.
	stalled atomic.Bool
}

func newProxy(t *testing.T, target string) *tcpProxy {
	p := &tcpProxy{t: t, target: target, addr: "127.0.0.1:0", conns: map[net.Conn]struct{}{}}
	p.up()
	t.Cleanup(p.cut)
	return p
}

func (p *tcpProxy) up() {
	p.t.Helper()
	var ln net.Listener
	var err error
	for range 50 { // the port was ours a moment ago; rebinding may take a retry
		if ln, err = net.Listen("tcp", p.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		p.t.Fatalf("proxy listen %s: %v", p.addr, err)
	}
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.forward(c)
		}
	}()
}

func (p *tcpProxy) track(cs ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln == nil {
		return false
	}
	for _, c := range cs {
		p.conns[c] = struct{}{}
	}
	return true
}

func (p *tcpProxy) forward(c net.Conn) {
	s, err := net.DialTimeout("tcp", p.target, 5*time.Second)
	if err != nil {
		c.Close()
		return
	}
	if !p.track(c, s) {
		c.Close()
		s.Close()
		return
	}
	go func() { p.copy(s, c); s.Close(); c.Close() }()
	p.copy(c, s)
	c.Close()
	s.Close()
}

// copy forwards src to dst, holding data while the proxy is stalled.
func (p *tcpProxy) copy(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		for n > 0 && p.stalled.Load() {
			time.Sleep(10 * time.Millisecond)
		}
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func (p *tcpProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
		delete(p.conns, c)
	}
}

// TestDatabaseGoesAway: with a proxy between stride-ca and its database,
// cutting the proxy (listener and connections) makes /sign answer 503 — not
// 500, and not later than the request timeout — and restoring it makes
// signing work again, without a restart.
func TestDatabaseGoesAway(t *testing.T) {
	t.Parallel()
	targets := map[string]string{"postgresql": "127.0.0.1:5432", "mysql": "127.0.0.1:3306"}
	for backend, target := range targets {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			p := newProxy(t, target)
			db := perRunDatabase(t)
			dsn := map[string]string{"postgresql": "postgresql://postgres@" + p.addr + "/", "mysql": "root@tcp(" + p.addr + ")/"}[backend]
			ca := startCA(t, strideCA, caOptions{setup: func(t *testing.T, ca *runningCA) {
				ca.editConfig(func(cfg map[string]any) {
					cfg["db"] = map[string]any{"type": backend, "dataSource": dsn, "database": db}
				})
			}})
			m := ca.minter(t, provisionerName)
			hc := ca.httpClient()
			hc.Timeout = 25 * time.Second
			sign := func() (int, string, time.Duration) {
				csr := makeCSR(t, "away.example.com", "away.example.com")
				begin := time.Now()
				code, body, err := postSignBody(hc, ca.URL, csr, m.signToken(t, "away.example.com"))
				if err != nil {
					t.Fatalf("/sign: %v (after %v)", err, time.Since(begin))
				}
				return code, string(body), time.Since(begin)
			}
			if code, body, _ := sign(); code != 201 {
				t.Fatalf("/sign through the proxy: %d %s", code, body)
			}

			p.cut()
			for i := range 3 { // a pooled connection that died, then fresh dials that fail
				code, body, took := sign()
				t.Logf("database away, sign %d: %d after %v: %s", i, code, took.Round(time.Millisecond), strings.TrimSpace(body))
				if code != 503 {
					t.Errorf("database away: /sign answered %d, want 503: %s", code, body)
				}
				if took > 16*time.Second {
					t.Errorf("database away: /sign took %v", took)
				}
			}
			if !ca.alive() {
				t.Fatal("stride-ca exited when the database went away")
			}

			p.up()
			code, body, took := sign()
			if code != 201 {
				t.Errorf("database back: /sign answered %d after %v, want 201: %s", code, took, body)
			}
			for range 3 {
				if code, body, _ := sign(); code != 201 {
					t.Errorf("database back: /sign answered %d: %s", code, body)
				}
			}
		})
	}
}

// TestDatabaseStalls: the database stops answering without closing
// anything (a dead route). /sign must still answer, 503, within the
// request timeout rather than hang until TCP gives up; when the database
// answers again signing works.
func TestDatabaseStalls(t *testing.T) {
	t.Parallel()
	targets := map[string]string{"postgresql": "127.0.0.1:5432", "mysql": "127.0.0.1:3306"}
	for backend, target := range targets {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			p := newProxy(t, target)
			db := perRunDatabase(t)
			dsn := map[string]string{"postgresql": "postgresql://postgres@" + p.addr + "/", "mysql": "root@tcp(" + p.addr + ")/"}[backend]
			ca := startCA(t, strideCA, caOptions{setup: func(t *testing.T, ca *runningCA) {
				ca.editConfig(func(cfg map[string]any) {
					cfg["db"] = map[string]any{"type": backend, "dataSource": dsn, "database": db}
				})
			}})
			m := ca.minter(t, provisionerName)
			hc := ca.httpClient()
			hc.Timeout = 30 * time.Second
			sign := func() (int, string, time.Duration, error) {
				csr := makeCSR(t, "stall.example.com", "stall.example.com")
				begin := time.Now()
				code, body, err := postSignBody(hc, ca.URL, csr, m.signToken(t, "stall.example.com"))
				return code, string(body), time.Since(begin), err
			}
			if code, body, _, err := sign(); code != 201 {
				t.Fatalf("/sign through the proxy: %d %v %s", code, err, body)
			}
			p.stalled.Store(true)
			code, body, took, err := sign()
			t.Logf("database stalled: %d %v after %v: %s", code, err, took.Round(time.Millisecond), strings.TrimSpace(body))
			if err != nil || code != 503 || took > 16*time.Second {
				t.Errorf("database stalled: /sign gave %d %v after %v, want 503 within the request timeout: %s", code, err, took, body)
			}
			p.stalled.Store(false)
			if code, body, took, err := sign(); code != 201 {
				t.Errorf("database answering again: /sign gave %d %v after %v, want 201: %s", code, err, took, body)
			}
		})
	}
}
