package load

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// The load command shares the machine's cores with the server it measures,
// so every microsecond it spends per request is taken from the server. Two
// clients are offered:
//
//   - "lean" (the default): each worker keeps one TLS connection of its own
//     and writes a pre-built HTTP/1.1 request on it, then reads the answer
//     with http.ReadResponse (Content-Length or chunked). No transport
//     goroutines, no connection pool, no per-request header maps to build.
//   - "net/http": a shared http.Client with keep-alive, as a Go program
//     would talk to a CA.
//
// Both speak the same HTTP/1.1 over the same TLS, so a server sees the same
// requests either way; the lean client only costs less CPU (measured in the
// client CPU column).

// ClientKinds are the values of Options.Client.
const (
	ClientLean    = "lean"
	ClientNetHTTP = "net/http"
)

// newPoster returns the client for kind, trusting only root.
func newPoster(kind, signURL string, root *x509.Certificate, conc int) (poster, func(), error) {
	pool := x509.NewCertPool()
	pool.AddCert(root)
	switch kind {
	case "", ClientLean:
		lp, err := newLeanPoster(signURL, pool, conc)
		if err != nil {
			return nil, nil, err
		}
		return lp, lp.close, nil
	case ClientNetHTTP:
		hc := NewClient(root, conc)
		return netHTTPPoster{hc: hc, url: signURL}, hc.CloseIdleConnections, nil
	}
	return nil, nil, fmt.Errorf("unknown client %q (want %s or %s)", kind, ClientLean, ClientNetHTTP)
}

// NewClient returns the one HTTPS client a level shares: it trusts only
// root, speaks HTTP/1.1 with keep-alive, and keeps an idle connection for
// each of the conc workers so no request pays for a new handshake.
func NewClient(root *x509.Certificate, conc int) *http.Client {
	pool := x509.NewCertPool()
	pool.AddCert(root)
	tr := &http.Transport{
		TLSClientConfig:     &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
		MaxIdleConns:        2 * conc,
		MaxIdleConnsPerHost: 2 * conc,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
		ForceAttemptHTTP2:   false,
	}
	return &http.Client{Transport: tr, Timeout: 60 * time.Second}
}

// netHTTPPoster posts through an http.Client.
type netHTTPPoster struct {
	hc  *http.Client
	url string
}

func (p netHTTPPoster) post(ctx context.Context, _ int, body []byte) outcome {
	start := time.Now()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.url, bytes.NewReader(body))
	if err != nil {
		return outcome{err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := p.hc.Do(req)
	if err != nil {
		return outcome{latency: time.Since(start), err: err}
	}
	return readAnswer(start, resp)
}

// readAnswer reads resp's whole body, so its connection can carry the next
// request, and closes it.
func readAnswer(start time.Time, resp *http.Response) outcome {
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	o := outcome{latency: time.Since(start), status: resp.StatusCode, body: b}
	if err != nil {
		o.err = fmt.Errorf("reading the response: %w", err)
	}
	return o
}

// leanPoster gives each worker a connection of its own (see above).
type leanPoster struct {
	addr, path, host string
	tls              *tls.Config
	conns            []*leanConn
}

// leanConn is one worker's keep-alive connection; nil conn means dial first.
type leanConn struct {
	mu   sync.Mutex // a worker uses its own; the lock only guards close
	conn *tls.Conn
	r    *bufio.Reader
	w    *bufio.Writer
}

func newLeanPoster(signURL string, pool *x509.CertPool, conc int) (*leanPoster, error) {
	u, err := url.Parse(signURL)
	if err != nil {
		return nil, err
	}
	port := u.Port()
	if port == "" {
		port = "443"
	}
	p := &leanPoster{
		addr: net.JoinHostPort(u.Hostname(), port), path: u.RequestURI(), host: u.Host,
		tls:   &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12, ServerName: u.Hostname()},
		conns: make([]*leanConn, conc),
	}
	for i := range p.conns {
		p.conns[i] = &leanConn{}
	}
	return p, nil
}

func (p *leanPoster) post(ctx context.Context, w int, body []byte) outcome {
	c := p.conns[w]
	start := time.Now()
	if c.conn == nil {
		if err := p.dial(ctx, c); err != nil {
			return outcome{latency: time.Since(start), err: err}
		}
	}
	deadline := start.Add(60 * time.Second)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	c.conn.SetDeadline(deadline)
	fmt.Fprintf(c.w, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n",
		p.path, p.host, len(body))
	c.w.Write(body)
	if err := c.w.Flush(); err != nil {
		p.drop(c)
		return outcome{latency: time.Since(start), err: fmt.Errorf("sending: %w", err)}
	}
	resp, err := http.ReadResponse(c.r, nil)
	if err != nil {
		p.drop(c)
		return outcome{latency: time.Since(start), err: fmt.Errorf("reading the response: %w", err)}
	}
	o := readAnswer(start, resp)
	if o.err != nil || resp.Close {
		p.drop(c)
	}
	return o
}

func (p *leanPoster) dial(ctx context.Context, c *leanConn) error {
	d := tls.Dialer{Config: p.tls}
	conn, err := d.DialContext(ctx, "tcp", p.addr)
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.conn = conn.(*tls.Conn)
	c.r, c.w = bufio.NewReaderSize(c.conn, 16<<10), bufio.NewWriterSize(c.conn, 8<<10)
	c.mu.Unlock()
	return nil
}

// drop closes c's connection after an error or a "Connection: close"; the
// worker's next request dials again.
func (p *leanPoster) drop(c *leanConn) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conn != nil {
		c.conn.Close()
		c.conn = nil
	}
}

func (p *leanPoster) close() {
	for _, c := range p.conns {
		p.drop(c)
	}
}
