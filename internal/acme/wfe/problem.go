package wfe

import (
	"encoding/json"
	"net/http"

	"github.com/stride-pki/stride/internal/acme"
)

// statusOf is the one place ACME problems become HTTP statuses (RFC 8555
// §6.7 leaves most to the server; these follow step-ca where it has a
// choice, and security.md §2.1 for orderNotReady).
func statusOf(p *acme.Problem) int {
	if p.Status != 0 {
		return p.Status // set by the edge itself (415, 413, 405)
	}
	if p.Missing {
		return http.StatusNotFound
	}
	switch p.Type {
	case acme.ProbUnauthorized:
		return http.StatusUnauthorized
	case acme.ProbOrderNotReady:
		return http.StatusForbidden
	case acme.ProbServerInternal:
		return http.StatusInternalServerError
	case acme.ProbRateLimited:
		return http.StatusTooManyRequests
	case acme.ProbAlreadyReplaced:
		return http.StatusConflict // RFC 9773 §5
	case acme.ProbAccountDoesNotExist, acme.ProbAlreadyRevoked, acme.ProbBadCSR, acme.ProbBadNonce,
		acme.ProbBadPublicKey, acme.ProbBadRevocationReason, acme.ProbBadSignatureAlgorithm, acme.ProbCAA,
		acme.ProbCompound, acme.ProbConnection, acme.ProbDNS, acme.ProbExternalAccountRequired,
		acme.ProbIncorrectResponse, acme.ProbInvalidContact, acme.ProbMalformed, acme.ProbRejectedIdentifier, acme.ProbInvalidProfile,
		acme.ProbTLS, acme.ProbUnsupportedContact, acme.ProbUnsupportedIdentifier, acme.ProbUserActionRequired:
		return http.StatusBadRequest
	}
	return http.StatusInternalServerError
}

// writeProblem answers with p as problem+json. Internal causes are logged,
// never sent.
func (h *handler) writeProblem(w http.ResponseWriter, r *http.Request, p *acme.Problem) {
	status := statusOf(p)
	if p.Cause != nil || status >= 500 {
		h.log.Error("acme: request failed", "path", r.URL.Path, "problem", p.Type, "detail", p.Detail, "error", p.Cause)
	}
	out := *p
	out.Status = status
	if _, rest, _ := splitProvisioner(r.URL.EscapedPath()); rest == "directory" {
		addIndexLink(w, r) // the one path withNonce leaves without it
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(&out)
}

// fail writes err (a Problem, or anything else as serverInternal).
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	h.writeProblem(w, r, acme.AsProblem(err))
}
