package wfe

import (
	"net/http"
	"net/url"
	"strings"
)

// withNonce gives every response a fresh Replay-Nonce (RFC 8555 §6.5),
// errors included, so a client can always retry (the directory's too: nonces
// cost nothing to issue), and every resource but the directory its
// Link rel="index" (§7.1).
func (h *handler) withNonce(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Replay-Nonce", h.svc.Nonces().New())
		if name, rest, ok := splitProvisioner(r.URL.EscapedPath()); ok && rest != "directory" {
			addLink(w, linksFor(r, name).Directory(), "index")
		}
		next.ServeHTTP(w, r)
	})
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
