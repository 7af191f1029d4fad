package api

import (
	"net/http"
)

// prefixes are where the CA API is mounted: step-ca serves the same router
// at the root and under /1.0 (tokens name /1.0/... in their audience).
var prefixes = []string{"", "/1.0"}

// routes is the one route table of the CA API. A "GET" pattern also answers
// HEAD (net/http drops the body), as step-ca does on every GET route.
func (h *handler) routes(opts Options) *http.ServeMux {
	mux := http.NewServeMux()
	for _, p := range prefixes {
		handle := func(method, path string, fn http.HandlerFunc) {
			mux.HandleFunc(method+" "+p+path, fn)
		}
		handle("GET", "/health", h.health)
		handle("GET", "/version", h.versionInfo)
		handle("GET", "/root/{sha}", h.root)
		handle("GET", "/roots", h.roots)
		handle("GET", "/roots.pem", h.rootsPEM)
		handle("GET", "/intermediates", h.intermediates)
		handle("GET", "/intermediates.pem", h.intermediatesPEM)
		handle("GET", "/federation", h.federation)
		handle("GET", "/provisioners", h.provisioners)
		handle("GET", "/provisioners/{kid}/encrypted-key", h.encryptedKey)
		handle("POST", "/sign", h.sign)
		handle("POST", "/renew", h.renew)
		handle("POST", "/re-sign", h.renew) // legacy alias of /renew
		handle("POST", "/rekey", h.rekey)
		handle("POST", "/revoke", h.revoke)
	}
	// Remote management has no /1.0 mount in step-ca.
	if opts.Admin != nil {
		mux.Handle("/admin/", opts.Admin)
	} else {
		mux.HandleFunc("GET /admin/admins", adminDisabled)
	}
	for pattern, hd := range opts.Mounts {
		mux.Handle(pattern, hd)
	}
	return mux
}
