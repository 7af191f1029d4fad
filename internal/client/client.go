// Package client speaks the step-ca CA API (reference §1.2) as the step CLI
// does: it trusts only the CA's root, sends X-Request-Id and a User-Agent,
// retries an idempotent GET once on a 5xx or a connection error, and turns
// the CA's error JSON ({"status","message"}) into *Error. It also mints the
// tokens the API takes (token.go). It imports no server package.
package client

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/stride-pki/stride/internal/pemutil"
)

// DefaultTimeout bounds one request when Options.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// retryDelay is the pause before the single retry of a GET.
var retryDelay = 250 * time.Millisecond

// Options configure a Client. Exactly one of RootFile and RootPool names the
// roots to trust; the system pool is never used.
type Options struct {
	RootFile  string         // PEM file of the root(s) to trust
	RootPool  *x509.CertPool // or the pool itself
	Transport *http.Transport
	Timeout   time.Duration // per request, retries included; 0 = DefaultTimeout
	UserAgent string        // default "stride"
}

// Client talks to one CA. It is safe for concurrent use.
type Client struct {
	base      *url.URL
	transport *http.Transport
	timeout   time.Duration
	userAgent string
}

// New returns a client for the CA at caURL (https://host[:port]).
func New(caURL string, opts Options) (*Client, error) {
	base, err := parseCAURL(caURL)
	if err != nil {
		return nil, err
	}
	pool := opts.RootPool
	if pool == nil {
		if opts.RootFile == "" {
			return nil, errors.New("no root to trust: give the CA's root certificate")
		}
		if pool, err = loadPool(opts.RootFile); err != nil {
			return nil, err
		}
	}
	return newClient(base, opts, &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}), nil
}

func newClient(base *url.URL, opts Options, conf *tls.Config) *Client {
	tr := opts.Transport
	if tr == nil {
		tr = http.DefaultTransport.(*http.Transport)
	}
	tr = tr.Clone()
	tr.TLSClientConfig = conf
	tr.Proxy = http.ProxyFromEnvironment
	c := &Client{base: base, transport: tr, timeout: opts.Timeout, userAgent: opts.UserAgent}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	if c.userAgent == "" {
		c.userAgent = "stride"
	}
	return c
}

// URL is the CA's base URL, without a trailing slash.
func (c *Client) URL() string { return strings.TrimRight(c.base.String(), "/") }

func parseCAURL(s string) (*url.URL, error) {
	if s == "" {
		return nil, errors.New("no CA URL given")
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(strings.TrimRight(s, "/"))
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("invalid CA URL %q", s)
	}
	if u.Scheme != "https" {
		return nil, fmt.Errorf("the CA URL %q must use https", s)
	}
	return u, nil
}

func loadPool(path string) (*x509.CertPool, error) {
	certs, err := pemutil.ReadCertificates(path)
	if err != nil {
		return nil, fmt.Errorf("reading the root certificate: %w", err)
	}
	pool := x509.NewCertPool()
	for _, c := range certs {
		pool.AddCert(c)
	}
	return pool, nil
}

// withClientCert is a copy of c that presents cert for mTLS.
func (c *Client) withClientCert(cert *tls.Certificate) *Client {
	cp := *c
	cp.transport = c.transport.Clone()
	conf := c.transport.TLSClientConfig.Clone()
	conf.Certificates = []tls.Certificate{*cert}
	cp.transport.TLSClientConfig = conf
	return &cp
}

// call is one API request: method, path (un-prefixed, as step's client uses),
// an optional JSON body, the statuses that mean success, and out to decode.
type call struct {
	method, path string
	body         any
	header       http.Header
	ok           []int
	out          any
}

// do runs a call, retrying a GET once on a connection error or a 5xx.
func (c *Client) do(ctx context.Context, cl call) error {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var body []byte
	if cl.body != nil {
		var err error
		if body, err = json.Marshal(cl.body); err != nil {
			return fmt.Errorf("encoding the request: %w", err)
		}
	}
	attempts := 1
	if cl.method == http.MethodGet {
		attempts = 2
	}
	var err error
	for i := 0; i < attempts; i++ {
		if i > 0 {
			select {
			case <-ctx.Done():
				return err
			case <-time.After(retryDelay):
			}
		}
		var retry bool
		if retry, err = c.once(ctx, cl, body); err == nil || !retry {
			return err
		}
	}
	return err
}

// once sends the request; retry says whether a GET may try again.
func (c *Client) once(ctx context.Context, cl call, body []byte) (retry bool, err error) {
	u := c.URL() + cl.path
	req, err := http.NewRequestWithContext(ctx, cl.method, u, bytes.NewReader(body))
	if err != nil {
		return false, err
	}
	for k, v := range cl.header {
		req.Header[k] = v
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("User-Agent", c.userAgent)
	req.Header.Set("X-Request-Id", newRequestID())
	resp, err := (&http.Client{Transport: c.transport}).Do(req)
	if err != nil {
		return ctx.Err() == nil, c.connError(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return true, fmt.Errorf("reading the answer of %s: %w", c.base.Host, err)
	}
	if !statusIn(resp.StatusCode, cl.ok) {
		return resp.StatusCode >= 500, parseError(resp, data)
	}
	if cl.out == nil {
		return false, nil
	}
	if err := json.Unmarshal(data, cl.out); err != nil {
		return false, fmt.Errorf("the CA at %s sent invalid JSON for %s: %v", c.base.Host, cl.path, err)
	}
	return false, nil
}

// connError makes transport failures say what to check.
func (c *Client) connError(err error) error {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err
	}
	var uae x509.UnknownAuthorityError
	var cie x509.CertificateInvalidError
	var hne x509.HostnameError
	switch {
	case errors.As(err, &uae), errors.As(err, &cie):
		return fmt.Errorf("cannot verify the CA at %s with the configured root (%v): check --root, or bootstrap again", c.base.Host, err)
	case errors.As(err, &hne):
		return fmt.Errorf("the CA's certificate is not valid for %s (%v): check --ca-url", c.base.Host, err)
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("the CA at %s did not answer within %v: check --ca-url and that the CA is running", c.base.Host, c.timeout)
	}
	var nerr net.Error
	var operr *net.OpError
	if errors.As(err, &operr) || errors.As(err, &nerr) {
		return fmt.Errorf("cannot reach the CA at %s (%v): check --ca-url and that the CA is running", c.base.Host, err)
	}
	return fmt.Errorf("request to the CA at %s failed: %w", c.base.Host, err)
}

func statusIn(code int, ok []int) bool {
	for _, s := range ok {
		if s == code {
			return true
		}
	}
	return false
}

// newRequestID is a random request ID, 16 bytes in hex.
func newRequestID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
