// Package wfe is the ACME server's HTTP edge (RFC 8555 §6–§7): the routes
// under /acme/{provisioner}/ and /2.0/acme/{provisioner}/, the directory
// and nonces, every check of the JWS request envelope, and the rendering of
// the core's objects and problems (problem+json, Location, Link,
// Replay-Nonce, Retry-After). It is the only ACME package that sees HTTP;
// the state machine is acme.Service.
//
// Files: wfe.go (New, routes), links.go (absolute URLs), envelope.go (the
// JWS envelope, parsed before anything is trusted), verify.go (nonce, key,
// signature), nonce.go (Replay-Nonce and Link rel="index" on every
// response), problem.go (problem → status), render.go, and one file per
// resource group: directory.go (directory, new-nonce, key-change),
// account.go (new-account, account, orders), order.go (new-order, order,
// finalize), authz.go (authorizations, challenges), certificate.go
// (download, revoke-cert).
package wfe

import (
	"log/slog"
	"net/http"

	"github.com/stride-pki/stride/internal/acme"
)

// DefaultMaxBodyBytes caps a JWS request body: the largest legitimate one
// (a CSR with many names) is far smaller, and the cap is enforced before
// any parsing (security.md §2.2).
const DefaultMaxBodyBytes = 64 << 10

// Prefixes are the mount points of the ACME routes (step-ca's two), each
// followed by /{provisioner}/.
var Prefixes = []string{"/acme/", "/2.0/acme/"}

// Options are the edge's knobs; the zero value works.
type Options struct {
	Logger       *slog.Logger
	MaxBodyBytes int64
}

// handler serves one configuration generation's Service.
type handler struct {
	svc     *acme.Service
	log     *slog.Logger
	maxBody int64
}

// New returns the ACME HTTP edge over svc. Mount it at each of Prefixes.
func New(svc *acme.Service, opts Options) http.Handler {
	h := &handler{svc: svc, log: opts.Logger, maxBody: opts.MaxBodyBytes}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.maxBody <= 0 {
		h.maxBody = DefaultMaxBodyBytes
	}
	return h.withNonce(h.routes())
}

// routes is the one route table. Every POST route authenticates its JWS
// itself, through h.verify, with the key kind the RFC allows there. Each
// path is also registered without a method, so another method gets a 405
// problem document with Allow (RFC 8555 §6.3: resources are read with
// POST-as-GET, only the directory, new-nonce and renewal-info answer GET),
// and anything else under a provisioner gets a 404 problem document
// rather than ServeMux's plain text.
func (h *handler) routes() *http.ServeMux {
	mux := http.NewServeMux()
	for _, prefix := range []string{"/acme/{provisioner}", "/2.0/acme/{provisioner}"} {
		handle := func(method, path string, fn http.HandlerFunc) {
			mux.HandleFunc(method+" "+prefix+path, fn)
			allow := method
			if method == http.MethodGet {
				allow = "GET, HEAD" // ServeMux answers HEAD with the GET route
			}
			mux.HandleFunc(prefix+path, h.methodNotAllowed(allow))
		}
		handle("GET", "/directory", h.directory)
		handle("GET", "/new-nonce", h.newNonce)
		handle("POST", "/new-account", h.newAccount)
		handle("POST", "/account/{id}", h.account)
		handle("POST", "/account/{id}/orders", h.orders)
		handle("POST", "/new-order", h.newOrder)
		handle("POST", "/order/{id}", h.order)
		handle("POST", "/order/{id}/finalize", h.finalize)
		handle("POST", "/authz/{id}", h.authz)
		handle("POST", "/challenge/{authz}/{id}", h.challenge)
		handle("POST", "/certificate/{serial}", h.certificate)
		handle("POST", "/certificate/{serial}/{n}", h.certificate) // alternate chains
		handle("POST", "/revoke-cert", h.revoke)
		handle("POST", "/key-change", h.keyChange)
		handle("GET", "/"+acme.RenewalInfoPath+"/{id}", h.renewalInfo)
		mux.HandleFunc(prefix+"/", h.notFound)
	}
	return mux
}

// methodNotAllowed answers 405 with Allow and a malformed problem.
func (h *handler) methodNotAllowed(allow string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allow)
		detail := "use " + allow
		if allow == http.MethodPost {
			detail = "this resource is read with POST-as-GET (RFC 8555 §6.3), not " + r.Method
		}
		h.writeProblem(w, r, &acme.Problem{Type: acme.ProbMalformed, Status: http.StatusMethodNotAllowed, Detail: detail})
	}
}

// notFound answers a path that is no ACME resource.
func (h *handler) notFound(w http.ResponseWriter, r *http.Request) {
	h.writeProblem(w, r, &acme.Problem{Type: acme.ProbMalformed, Missing: true, Detail: "no such ACME resource"})
}

// provisioner resolves {provisioner}; it writes the answer when there is
// none: step-ca's admin-style 404 for an unknown name.
func (h *handler) provisioner(w http.ResponseWriter, r *http.Request) (*acme.Provisioner, bool) {
	p, ok := h.svc.Provisioner(r.PathValue("provisioner"))
	if !ok {
		h.writeProblem(w, r, &acme.Problem{Type: acme.ProbMalformed, Missing: true,
			Detail: "no ACME provisioner is called " + r.PathValue("provisioner")})
	}
	return p, ok
}
