package e2e

// The DNS side of the ACME scenarios: a test DNS server that the CA gets as
// --resolver (every A query answers 127.0.0.1, AAAA nothing, TXT what the
// clients' hooks set), and an HTTP endpoint on 127.0.0.1 through which the
// hook scripts of certbot and lego set and clear TXT records. The server is
// internal/validation/dnstest's.

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/stride-pki/stride/internal/validation/dnstest"
)

// startTestDNS serves DNS on a free 127.0.0.1 port (UDP and TCP) until the
// test ends.
func startTestDNS(t *testing.T) *dnstest.Server { return dnstest.Start(t) }

// txtHook is the HTTP endpoint behind the clients' DNS hook scripts:
// POST /set name=…&value=… adds a value to the name's TXT set (certbot and
// lego present the wildcard's and the apex's values on one name), POST
// /clear name=… drops them. With wrong set, the stored value is corrupted,
// as a broken hook would.
type txtHook struct {
	dns   *dnstest.Server
	URL   string
	mu    sync.Mutex
	vals  map[string][]string
	wrong bool
	hold  bool     // keep set values back until release
	calls []string // "set NAME" / "clear NAME", in order
	files int      // hook scripts written (each call writes its own file)
}

func startTXTHook(t *testing.T, dns *dnstest.Server) *txtHook {
	t.Helper()
	h := &txtHook{dns: dns, vals: map[string][]string{}}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h.URL = "http://" + l.Addr().String()
	srv := &http.Server{Handler: h}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return h
}

func (h *txtHook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.ParseForm() != nil {
		http.Error(w, "POST a form", http.StatusBadRequest)
		return
	}
	name := strings.ToLower(strings.TrimSuffix(r.PostForm.Get("name"), "."))
	if name == "" {
		http.Error(w, "no name", http.StatusBadRequest)
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	switch r.URL.Path {
	case "/set":
		v := r.PostForm.Get("value")
		if h.wrong {
			v = "wrong" + v[min(5, len(v)):]
		}
		h.vals[name] = append(h.vals[name], v)
		if !h.hold {
			h.dns.SetTXT(name, h.vals[name]...)
		}
	case "/clear":
		delete(h.vals, name)
		h.dns.ClearTXT(name)
	default:
		http.NotFound(w, r)
		return
	}
	h.calls = append(h.calls, strings.TrimPrefix(r.URL.Path, "/")+" "+name)
}

// setWrong makes later /set calls store a corrupted value.
func (h *txtHook) setWrong(v bool) { h.mu.Lock(); h.wrong = v; h.mu.Unlock() }

// holdBack makes later /set calls keep their values unpublished until
// release, as a slow DNS provider would.
func (h *txtHook) holdBack() { h.mu.Lock(); h.hold = true; h.mu.Unlock() }

// release publishes the values held back.
func (h *txtHook) release() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.hold = false
	for name, vals := range h.vals {
		h.dns.SetTXT(name, vals...)
	}
}

// callLog is what the hooks asked for so far.
func (h *txtHook) callLog() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.calls...)
}

// nextFile numbers hook scripts, so that clients running side by side never
// execute a file another one is rewriting.
func (h *txtHook) nextFile() int { h.mu.Lock(); defer h.mu.Unlock(); h.files++; return h.files }

// certbotHooks writes certbot's --manual-auth-hook and --manual-cleanup-hook
// scripts (certbot passes CERTBOT_DOMAIN and CERTBOT_VALIDATION).
func (h *txtHook) certbotHooks(e *env) (auth, cleanup string) {
	n := h.nextFile()
	auth = e.write(fmt.Sprintf("certbot-auth-%d.sh", n), fmt.Sprintf(`#!/bin/sh
exec curl -fsS --data-urlencode "name=_acme-challenge.$CERTBOT_DOMAIN" --data-urlencode "value=$CERTBOT_VALIDATION" %s/set
`, h.URL))
	cleanup = e.write(fmt.Sprintf("certbot-cleanup-%d.sh", n), fmt.Sprintf(`#!/bin/sh
exec curl -fsS --data-urlencode "name=_acme-challenge.$CERTBOT_DOMAIN" %s/clear
`, h.URL))
	chmodX(e.t, auth, cleanup)
	return auth, cleanup
}

// legoHook writes the script for lego's exec DNS provider, which it calls as
// `HOOK present|cleanup FQDN VALUE`.
func (h *txtHook) legoHook(e *env) string {
	p := e.write(fmt.Sprintf("lego-exec-%d.sh", h.nextFile()), fmt.Sprintf(`#!/bin/sh
case "$1" in
present) exec curl -fsS --data-urlencode "name=$2" --data-urlencode "value=$3" %[1]s/set ;;
cleanup) exec curl -fsS --data-urlencode "name=$2" %[1]s/clear ;;
*) echo "unknown action $1" >&2; exit 2 ;;
esac
`, h.URL))
	chmodX(e.t, p)
	return p
}

func chmodX(t *testing.T, paths ...string) {
	t.Helper()
	for _, p := range paths {
		if err := os.Chmod(p, 0o700); err != nil {
			t.Fatal(err)
		}
	}
}
