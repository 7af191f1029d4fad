package e2e

// Helpers of TestACMEReplicas: the round-robin proxy, the http-01
// responder, hand-built JWS requests and the checks on what the replicas
// logged and stored.

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	gojose "github.com/go-jose/go-jose/v4"
)

// serverErrors are the log lines of ca's 5xx answers and errors.
func serverErrors(ca *runningCA) []string {
	var out []string
	for _, l := range strings.Split(ca.Log(), "\n") {
		if strings.Contains(l, "level=ERROR") || (strings.Contains(l, "msg=request") && strings.Contains(l, " status=5")) {
			out = append(out, l)
		}
	}
	return out
}

// inventoryFor is the `stride ca certificates list` rows naming name.
func inventoryFor(t *testing.T, ca *runningCA, name string) []invRow {
	t.Helper()
	var out []invRow
	for _, r := range listJSON(t, ca) {
		for _, s := range r.SANs {
			if s == name {
				out = append(out, r)
				break
			}
		}
	}
	return out
}

func acmeCSR(t *testing.T, name string) (*ecdsa.PrivateKey, []byte) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject: pkix.Name{CommonName: name}, DNSNames: []string{name}}, k)
	if err != nil {
		t.Fatal(err)
	}
	return k, der
}

func sameChain(a, b [][]byte) bool {
	if len(a) != len(b) || len(a) == 0 {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

func urlPath(t *testing.T, u string) string {
	t.Helper()
	p, err := url.Parse(u)
	if err != nil || p.Path == "" {
		t.Fatalf("not a URL: %q", u)
	}
	return p.Path
}

// dialling is a client of ca's root whose connections all go to
// 127.0.0.1:port whatever the URL's host, which is still the Host and SNI.
func (ca *runningCA) dialling(port int, keepAlive bool) *http.Client {
	c := ca.httpClient()
	tr := c.Transport.(*http.Transport)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	var d net.Dialer
	tr.DialContext = func(ctx context.Context, _, _ string) (net.Conn, error) { return d.DialContext(ctx, "tcp", addr) }
	tr.DisableKeepAlives = !keepAlive
	return c
}

// startRoundRobin is a TCP proxy on a free 127.0.0.1 port that hands each
// new connection to the next of the ports, until the test ends.
func startRoundRobin(t *testing.T, ports ...int) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	open := map[net.Conn]bool{}
	track := func(c net.Conn, on bool) {
		mu.Lock()
		defer mu.Unlock()
		if on {
			open[c] = true
		} else {
			delete(open, c)
		}
	}
	var next atomic.Uint64
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			port := ports[(next.Add(1)-1)%uint64(len(ports))]
			go func() {
				up, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
				if err != nil {
					c.Close()
					return
				}
				track(c, true)
				track(up, true)
				defer func() { c.Close(); up.Close(); track(c, false); track(up, false) }()
				go func() { io.Copy(up, c); up.(*net.TCPConn).CloseWrite() }()
				io.Copy(c, up)
			}()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for c := range open {
			c.Close()
		}
	})
	return l.Addr().(*net.TCPAddr).Port
}

// http01Responder serves /.well-known/acme-challenge/<token> from a map.
type http01Responder struct {
	port    int
	mu      sync.Mutex
	answers map[string]string
}

func startHTTP01Responder(t *testing.T) *http01Responder {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h := &http01Responder{port: l.Addr().(*net.TCPAddr).Port, answers: map[string]string{}}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return h
}

func (h *http01Responder) set(token, keyAuth string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.answers[token] = keyAuth
}

func (h *http01Responder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	token, ok := strings.CutPrefix(r.URL.Path, "/.well-known/acme-challenge/")
	h.mu.Lock()
	ka, found := h.answers[token]
	h.mu.Unlock()
	if !ok || !found {
		http.NotFound(w, r)
		return
	}
	io.WriteString(w, ka)
}

// signJWS is a flattened JWS as an ACME client sends it: ES256 with key,
// nonce and url in the protected header, and kid (or, when kid is "", the
// jwk). A nil payload is a POST-as-GET.
func signJWS(t *testing.T, key *ecdsa.PrivateKey, kid, nonce, url string, payload []byte) []byte {
	t.Helper()
	opts := &gojose.SignerOptions{ExtraHeaders: map[gojose.HeaderKey]any{"nonce": nonce, "url": url}}
	if kid != "" {
		opts.ExtraHeaders["kid"] = kid
	} else {
		opts.EmbedJWK = true
	}
	s, err := gojose.NewSigner(gojose.SigningKey{Algorithm: gojose.ES256, Key: key}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if payload == nil {
		payload = []byte{}
	}
	obj, err := s.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	return []byte(obj.FullSerialize())
}

// fetchNonce is a fresh nonce from base's new-nonce through hc.
func fetchNonce(t *testing.T, hc *http.Client, base string) string {
	t.Helper()
	resp, err := hc.Head(base + "/acme/" + acmeProvisioner + "/new-nonce")
	if err != nil {
		t.Fatalf("new-nonce: %v", err)
	}
	resp.Body.Close()
	n := resp.Header.Get("Replay-Nonce")
	if n == "" {
		t.Fatalf("new-nonce: %s without a Replay-Nonce", resp.Status)
	}
	return n
}

// jwsAnswer is what a hand-built ACME request got.
type jwsAnswer struct {
	status int
	body   []byte
	err    error
}

func postJWS(hc *http.Client, url string, body []byte) jwsAnswer {
	resp, err := hc.Post(url, "application/jose+json", bytes.NewReader(body))
	if err != nil {
		return jwsAnswer{err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return jwsAnswer{status: resp.StatusCode, body: b, err: err}
}

// problem is the answer's problem type, if it is a problem document.
func (a jwsAnswer) problem() string {
	var p struct {
		Type string `json:"type"`
	}
	json.Unmarshal(a.body, &p)
	return p.Type
}
