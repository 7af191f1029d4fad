package validation

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stride-pki/stride/internal/validation/dnstest"
)

// http01Env is a plain and a TLS challenge server on loopback, both sending
// every request to the current case's handler, and a DNS server mapping all
// names to 127.0.0.1.
type http01Env struct {
	dns          *dnstest.Server
	httpPort     int
	tlsPort      int
	mu           sync.Mutex // the handler outlives a timed-out case
	handler      http.HandlerFunc
	gotUserAgent string
}

func (e *http01Env) setHandler(h http.HandlerFunc) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.handler = h
}

func (e *http01Env) userAgent() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.gotUserAgent
}

func newHTTP01Env(t *testing.T) *http01Env {
	env := &http01Env{dns: dnstest.Start(t)}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		env.mu.Lock()
		env.gotUserAgent = r.UserAgent()
		handler := env.handler
		env.mu.Unlock()
		handler(w, r)
	})
	plain := httptest.NewServer(h)
	t.Cleanup(plain.Close)
	tlsSrv := httptest.NewTLSServer(h)
	t.Cleanup(tlsSrv.Close)
	env.httpPort = portOfAddr(t, plain.Listener.Addr().String())
	env.tlsPort = portOfAddr(t, tlsSrv.Listener.Addr().String())
	return env
}

func (e *http01Env) validator(timeout time.Duration) *Validator {
	return New(Config{Resolver: e.dns.Addr(), HTTPPort: e.httpPort, TLSPort: e.tlsPort, Timeout: timeout})
}

func body(s string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, s) }
}

func redirectTo(format string, args ...any) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, fmt.Sprintf(format, args...), http.StatusFound)
	}
}

func TestHTTP01(t *testing.T) {
	env := newHTTP01Env(t)
	hp, tp := env.httpPort, env.tlsPort
	path := "/.well-known/acme-challenge/" + testToken
	hops := 0
	tests := []struct {
		name       string
		identType  string
		value      string
		handler    http.HandlerFunc
		setup      func()
		timeout    time.Duration
		wantType   string
		wantRetry  bool
		wantDetail string
	}{
		{name: "ok", handler: func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != path || r.Host != fmt.Sprintf("example.test:%d", hp) {
				http.NotFound(w, r)
				return
			}
			fmt.Fprint(w, testKeyAuth)
		}},
		{name: "ok trimmed whitespace", handler: body("  " + testKeyAuth + "\r\n\n")},
		{name: "ok ipv4 identifier", identType: "ip", value: "127.0.0.1", handler: body(testKeyAuth)},
		{name: "wrong body", handler: body("nope\x00<script>"), wantType: "incorrectResponse",
			wantDetail: `got "nope\x00<script>"`},
		{name: "key authorization with a suffix", handler: body(testKeyAuth + "x"), wantType: "incorrectResponse"},
		{name: "huge body truncated", handler: body(strings.Repeat("A", 1<<20)), wantType: "incorrectResponse",
			wantDetail: `"` + strings.Repeat("A", 64) + `"…`},
		{name: "404", handler: http.NotFound, wantType: "incorrectResponse", wantDetail: "HTTP 404"},
		{name: "500 is retryable", handler: func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "boom", http.StatusInternalServerError)
		}, wantType: "incorrectResponse", wantRetry: true},
		{name: "redirect to another name followed", handler: func(w http.ResponseWriter, r *http.Request) {
			if r.Host == "other.test" || strings.HasPrefix(r.Host, "other.test:") {
				fmt.Fprint(w, testKeyAuth)
				return
			}
			http.Redirect(w, r, fmt.Sprintf("http://other.test:%d%s", hp, path), http.StatusMovedPermanently)
		}},
		{name: "redirect to https followed without verification", handler: func(w http.ResponseWriter, r *http.Request) {
			if r.TLS != nil {
				fmt.Fprint(w, testKeyAuth)
				return
			}
			http.Redirect(w, r, fmt.Sprintf("https://example.test:%d%s", tp, path), http.StatusFound)
		}},
		{name: "redirect to a bad port refused", handler: redirectTo("http://example.test:22/"),
			wantType: "connection", wantDetail: "not 22"},
		{name: "redirect to port 80 refused when overridden", handler: redirectTo("http://example.test/x"),
			wantType: "connection", wantDetail: "not 80"},
		{name: "redirect to a bad scheme refused", handler: redirectTo("ftp://example.test:%d/", hp),
			wantType: "connection", wantDetail: "only http and https"},
		{name: "redirect to file refused", handler: redirectTo("file:///etc/passwd"),
			wantType: "connection", wantDetail: "only http and https"},
		{name: "redirect to an IPv6 zone refused", handler: redirectTo("http://[fe80::1%%25eth0]:%d/", hp),
			wantType: "connection", wantDetail: "zones"},
		{name: "redirect loop", handler: redirectTo("http://example.test:%d%s", hp, path),
			wantType: "connection", wantDetail: "too many redirects"},
		{name: "ten redirects followed", handler: func(w http.ResponseWriter, r *http.Request) {
			if hops == 10 {
				fmt.Fprint(w, testKeyAuth)
				return
			}
			hops++
			http.Redirect(w, r, fmt.Sprintf("http://example.test:%d/hop%d", hp, hops), http.StatusFound)
		}},
		{name: "redirect to an unresolvable name", handler: redirectTo("http://nowhere.test:%d/", hp),
			setup:    func() { env.dns.SetA("nowhere.test") },
			wantType: "dns", wantDetail: "nowhere.test"},
		{name: "no A record", value: "gone.test", setup: func() { env.dns.SetA("gone.test") },
			wantType: "dns", wantDetail: "no valid A/AAAA records"},
		{name: "SERVFAIL is retryable", value: "broken.test", setup: func() { env.dns.SetServFail("broken.test", true) },
			wantType: "dns", wantRetry: true},
		{name: "timeout", timeout: 300 * time.Millisecond, handler: func(w http.ResponseWriter, r *http.Request) {
			<-r.Context().Done()
		}, wantType: "connection", wantRetry: true, wantDetail: "timeout"},
		{name: "bad identifier type", identType: "email", wantType: "malformed"},
		{name: "ip in a dns identifier's place", identType: "ip", value: "example.test", wantType: "malformed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := tc.handler
			if h == nil {
				h = body(testKeyAuth)
			}
			env.setHandler(h)
			if tc.setup != nil {
				tc.setup()
			}
			identType, value := tc.identType, tc.value
			if identType == "" {
				identType = "dns"
			}
			if value == "" {
				value = "example.test"
			}
			timeout := tc.timeout
			if timeout == 0 {
				timeout = 5 * time.Second
			}
			err := env.validator(timeout).HTTP01(context.Background(), identType, value, testToken, testKeyAuth)
			wantErr(t, err, tc.wantType, tc.wantRetry, tc.wantDetail)
		})
	}
	if ua := env.userAgent(); !strings.HasPrefix(ua, "Stride-ACME-Validator/") {
		t.Errorf("User-Agent = %q", ua)
	}
}

func TestHTTP01ConnectionRefused(t *testing.T) {
	dns := dnstest.Start(t)
	v := New(Config{Resolver: dns.Addr(), HTTPPort: closedPort(t), Timeout: 5 * time.Second})
	err := v.HTTP01(context.Background(), "dns", "example.test", testToken, testKeyAuth)
	wantErr(t, err, "connection", true, "connection refused")
}

func TestHTTP01ContextCancelled(t *testing.T) {
	env := newHTTP01Env(t)
	env.setHandler(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := env.validator(time.Minute).HTTP01(ctx, "dns", "example.test", testToken, testKeyAuth)
	wantErr(t, err, "connection", true, "")
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("the caller's deadline was not honoured: %v", d)
	}
}

func TestHTTP01IPv6(t *testing.T) {
	l, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Skip("no IPv6 loopback:", err)
	}
	var (
		mu   sync.Mutex
		host string
	)
	srv := &httptest.Server{Listener: l, Config: &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		host = r.Host
		mu.Unlock()
		fmt.Fprint(w, testKeyAuth)
	})}}
	srv.Start()
	defer srv.Close()
	v := New(Config{HTTPPort: portOfAddr(t, l.Addr().String()), Timeout: 5 * time.Second})
	if err := v.HTTP01(context.Background(), "ip", "::1", testToken, testKeyAuth); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.HasPrefix(host, "[::1]:") {
		t.Fatalf("Host = %q, want bracketed IPv6", host)
	}
}
