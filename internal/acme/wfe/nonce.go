package wfe

import (
	"fmt"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"

	"github.com/stride-pki/stride/internal/acme"
)

// withNonce gives every response a fresh Replay-Nonce (RFC 8555 §6.5),
// errors included, so a client can always retry (the directory's too: nonces
// cost nothing to issue), and every resource but the directory its
// Link rel="index" (§7.1).
func (h *handler) withNonce(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Replay-Nonce", h.svc.Nonces().New())
		if _, rest, _ := splitProvisioner(r.URL.EscapedPath()); rest != "directory" {
			addIndexLink(w, r)
		}
		rec := &wroteRecorder{ResponseWriter: w}
		defer h.recoverPanic(rec, r)
		next.ServeHTTP(rec, r)
	})
}

// recoverPanic turns a panicking handler into a serverInternal problem for
// that request alone (security.md R-66), so even then the client gets
// problem+json with its Replay-Nonce; the panic value and stack are
// logged, never sent. net/http's ErrAbortHandler is let through.
func (h *handler) recoverPanic(w *wroteRecorder, r *http.Request) {
	v := recover()
	if v == nil {
		return
	}
	if v == http.ErrAbortHandler {
		panic(v)
	}
	h.log.Error("acme: panic serving request", "path", r.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
	if !w.wrote {
		h.writeProblem(w, r, &acme.Problem{Type: acme.ProbServerInternal, Detail: "the server failed to process the request"})
	}
}

// wroteRecorder notes whether the response has started, so a recovered
// panic does not write a second status.
type wroteRecorder struct {
	http.ResponseWriter
	wrote bool
}

func (w *wroteRecorder) WriteHeader(status int) {
	w.wrote = true
	w.ResponseWriter.WriteHeader(status)
}

func (w *wroteRecorder) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *wroteRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// addIndexLink adds Link rel="index" to the directory of r's provisioner.
// The directory's own answer has none (RFC 8555 §7.1: it is the index),
// but its error answers get it from writeProblem, like every error.
func addIndexLink(w http.ResponseWriter, r *http.Request) {
	if name, _, ok := splitProvisioner(r.URL.EscapedPath()); ok {
		addLink(w, linksFor(r, name).Directory(), "index")
	}
}

// splitProvisioner splits an ACME path into the provisioner name and the
// rest after it.
func splitProvisioner(path string) (name, rest string, ok bool) {
	for _, prefix := range Prefixes {
		after, found := strings.CutPrefix(path, prefix)
		if !found {
			continue
		}
		escaped, rest, _ := strings.Cut(after, "/")
		name, err := url.PathUnescape(escaped)
		return name, rest, err == nil && name != ""
	}
	return "", "", false
}
