package wfe

import (
	"net/http"

	"github.com/stride-pki/stride/internal/acme"
	"github.com/stride-pki/stride/internal/storage"
)

// authz reads an authorization (POST-as-GET) or deactivates it with
// {"status":"deactivated"} (RFC 8555 §7.5, §7.5.2).
func (h *handler) authz(w http.ResponseWriter, r *http.Request) {
	q := h.authenticate(w, r, byKID)
	if q == nil {
		return
	}
	id := r.PathValue("id")
	var a *storage.ACMEAuthz
	var err error
	if q.postAsGet() {
		a, err = h.svc.Authz(r.Context(), q.acct, id)
	} else {
		var req struct {
			Status acme.Status `json:"status"`
		}
		if prob := q.decode(&req); prob != nil {
			h.writeProblem(w, r, prob)
			return
		}
		if req.Status != acme.StatusDeactivated {
			h.writeProblem(w, r, acme.Malformedf("an authorization can only be changed to deactivated"))
			return
		}
		a, err = h.svc.DeactivateAuthz(r.Context(), q.acct, id)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Location", q.links.Authz(id))
	writeJSON(w, http.StatusOK, acme.AuthorizationJSON(a, q.links))
}

// challenge reads a challenge (POST-as-GET) or, with the payload {},
// asks for its validation (RFC 8555 §7.5.1), answered at once: the
// challenge is processing until the worker is done, and Retry-After says
// when to poll.
func (h *handler) challenge(w http.ResponseWriter, r *http.Request) {
	q := h.authenticate(w, r, byKID)
	if q == nil {
		return
	}
	authzID, chID := r.PathValue("authz"), r.PathValue("id")
	var a *storage.ACMEAuthz
	var ch *storage.ACMEChallenge
	var err error
	if q.postAsGet() {
		a, ch, err = h.svc.Challenge(r.Context(), q.acct, authzID, chID)
	} else {
		var ignored map[string]any
		if prob := q.decode(&ignored); prob != nil {
			h.writeProblem(w, r, prob)
			return
		}
		a, ch, err = h.svc.RespondChallenge(r.Context(), q.acct, authzID, chID)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	addLink(w, q.links.Authz(a.ID), "up")
	w.Header().Set("Location", q.links.Challenge(a.ID, ch.ID))
	if ch.Status == string(acme.StatusProcessing) {
		setRetryAfter(w, acme.RetryAfter)
	}
	writeJSON(w, http.StatusOK, acme.ChallengeJSON(a, ch, q.links))
}
