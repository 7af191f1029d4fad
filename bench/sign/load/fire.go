package load

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// outcome is what one POST /sign returned; bodies are checked after the
// clock stops so that parsing certificates does not compete with the server
// for the CPU.
type outcome struct {
	latency time.Duration
	status  int
	body    []byte
	err     error
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

// fire sends every request with conc workers pulling from a shared index and
// returns one outcome per request, in request order.
func fire(ctx context.Context, hc httpDoer, url string, reqs []Request, conc int) []outcome {
	out := make([]outcome, len(reqs))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				switch {
				case i >= len(reqs):
					return
				case ctx.Err() != nil:
					out[i] = outcome{err: fmt.Errorf("not sent: %w", ctx.Err())}
				default:
					out[i] = post(ctx, hc, url, reqs[i].Body)
				}
			}
		}()
	}
	wg.Wait()
	return out
}

// post sends one sign request and reads the whole answer, so the connection
// goes back to the pool.
func post(ctx context.Context, hc httpDoer, url string, body []byte) outcome {
	start := time.Now()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return outcome{err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return outcome{latency: time.Since(start), err: err}
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	o := outcome{latency: time.Since(start), status: resp.StatusCode, body: b}
	if err != nil {
		o.err = fmt.Errorf("reading the response: %w", err)
	}
	return o
}

// httpDoer is the part of *http.Client the workers use.
type httpDoer interface {
	Do(*http.Request) (*http.Response, error)
}
