package validation

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
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
	handler      envHandler
	gotUserAgent string
	hops         int
}

func (e *http01Env) setHandler(h envHandler) {
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
		handler(env, w, r)
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

// envHandler is a challenge responder that may need the environment (its
// ports, for redirects).
type envHandler func(e *http01Env, w http.ResponseWriter, r *http.Request)

func body(s string) envHandler {
	return func(_ *http01Env, w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, s) }
}

func status(code int) envHandler {
	return func(_ *http01Env, w http.ResponseWriter, _ *http.Request) { http.Error(w, "x", code) }
}

// redirectTo redirects to target after replacing {http} and {https} with the
// test servers' ports.
func redirectTo(target string) envHandler {
	return func(e *http01Env, w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, e.expand(target), http.StatusFound)
	}
}

func (e *http01Env) expand(s string) string {
	return strings.NewReplacer("{http}", strconv.Itoa(e.httpPort), "{https}", strconv.Itoa(e.tlsPort)).Replace(s)
}

// nextHop counts redirects for the "ten redirects" case.
func (e *http01Env) nextHop() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.hops++
	return e.hops
}

const challengePath = "/.well-known/acme-challenge/" + testToken

type http01Test struct {
	name       string
	identType  string // "dns" unless set
	value      string // example.test unless set
	handler    envHandler
	setup      func(e *http01Env)
	timeout    time.Duration
	wantType   string
	wantRetry  bool
	wantDetail string
}

var http01Tests = []http01Test{
	{name: "ok", handler: func(e *http01Env, w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != challengePath || r.Host != e.expand("example.test:{http}") {
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
	{name: "404", handler: status(http.StatusNotFound), wantType: "incorrectResponse", wantDetail: "HTTP 404"},
	{name: "500 is retryable", handler: status(http.StatusInternalServerError), wantType: "incorrectResponse", wantRetry: true},
	{name: "redirect to another name followed", handler: func(e *http01Env, w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.Host, "other.test:") {
			fmt.Fprint(w, testKeyAuth)
			return
		}
		http.Redirect(w, r, e.expand("http://other.test:{http}"+challengePath), http.StatusMovedPermanently)
	}},
	{name: "redirect to https followed without verification", handler: func(e *http01Env, w http.ResponseWriter, r *http.Request) {
		if r.TLS != nil {
			fmt.Fprint(w, testKeyAuth)
			return
		}
		http.Redirect(w, r, e.expand("https://example.test:{https}"+challengePath), http.StatusFound)
	}},
	{name: "redirect to a bad port refused", handler: redirectTo("http://example.test:22/"),
		wantType: "connection", wantDetail: "not 22"},
	{name: "redirect to port 80 refused when overridden", handler: redirectTo("http://example.test/x"),
		wantType: "connection", wantDetail: "not 80"},
	{name: "redirect to a bad scheme refused", handler: redirectTo("ftp://example.test:{http}/"),
		wantType: "connection", wantDetail: "only http and https"},
	{name: "redirect to file refused", handler: redirectTo("file:///etc/passwd"),
		wantType: "connection", wantDetail: "only http and https"},
	{name: "redirect to an IPv6 zone refused", handler: redirectTo("http://[fe80::1%25eth0]:{http}/"),
		wantType: "connection", wantDetail: "zones"},
	{name: "redirect to the metadata address refused", handler: redirectTo("http://169.254.169.254:{http}/latest/meta-data/"),
		wantType: "connection", wantDetail: "169.254.169.254 is not allowed"},
	{name: "link-local identifier refused", identType: "ip", value: "169.254.169.254",
		wantType: "connection", wantDetail: "is not allowed"},
	{name: "name resolving to a link-local address refused", value: "meta.test",
		setup:    func(e *http01Env) { e.dns.SetA("meta.test", "169.254.169.254") },
		wantType: "connection", wantDetail: "is not allowed"},
	{name: "unspecified address refused", identType: "ip", value: "0.0.0.0",
		wantType: "connection", wantDetail: "is not allowed"},
	{name: "redirect loop", handler: redirectTo("http://example.test:{http}" + challengePath),
		wantType: "connection", wantDetail: "too many redirects"},
	{name: "ten redirects followed", handler: func(e *http01Env, w http.ResponseWriter, r *http.Request) {
		hop := e.nextHop()
		if hop > 10 {
			fmt.Fprint(w, testKeyAuth)
			return
		}
		http.Redirect(w, r, e.expand("http://example.test:{http}/hop"+strconv.Itoa(hop)), http.StatusFound)
	}},
	{name: "redirect to an unresolvable name", handler: redirectTo("http://nowhere.test:{http}/"),
		setup:    func(e *http01Env) { e.dns.SetA("nowhere.test") },
		wantType: "dns", wantDetail: "nowhere.test"},
	{name: "unreachable AAAA falls back to A", value: "dual.test", timeout: time.Second,
		setup: func(e *http01Env) { e.dns.SetAAAA("dual.test", "100::1") }},
	{name: "no A record", value: "gone.test", setup: func(e *http01Env) { e.dns.SetA("gone.test") },
		wantType: "dns", wantDetail: "no valid A/AAAA records"},
	{name: "SERVFAIL is retryable", value: "broken.test", setup: func(e *http01Env) { e.dns.SetServFail("broken.test", true) },
		wantType: "dns", wantRetry: true},
	{name: "timeout", timeout: 300 * time.Millisecond, handler: func(_ *http01Env, _ http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}, wantType: "connection", wantRetry: true, wantDetail: "timeout"},
	{name: "name with a path", value: "example.test/x?", wantType: "malformed"},
	{name: "wildcard name", value: "*.example.test", wantType: "malformed"},
	{name: "bad identifier type", identType: "email", wantType: "malformed"},
	{name: "ip in a dns identifier's place", identType: "ip", value: "example.test", wantType: "malformed"},
}

func TestHTTP01(t *testing.T) {
	env := newHTTP01Env(t)
	for _, tc := range http01Tests {
		t.Run(tc.name, func(t *testing.T) {
			h := tc.handler
			if h == nil {
				h = body(testKeyAuth)
			}
			env.setHandler(h)
			if tc.setup != nil {
				tc.setup(env)
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

func TestHTTP01BadToken(t *testing.T) {
	v := New(Config{})
	for _, tok := range []string{"", "../x", "a?b", "a b"} {
		err := v.HTTP01(context.Background(), "dns", "example.test", tok, tok+".x")
		wantErr(t, err, "malformed", false, "token")
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
	env.setHandler(func(_ *http01Env, _ http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
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
		t.Fatal("this test needs an IPv6 loopback (::1):", err)
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
