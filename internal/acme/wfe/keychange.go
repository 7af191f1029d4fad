package wfe

import (
	"errors"
	"net/http"

	"github.com/stride-pki/stride/internal/acme"
)

// keyChange rolls the signer's account over to a new key (RFC 8555
// §7.3.5): the outer JWS is authenticated by the current key like any
// request, its payload is the inner JWS the core checks. 200 with the
// account; 409 with the owner's URL in Location when the new key is
// already another account's.
func (h *handler) keyChange(w http.ResponseWriter, r *http.Request) {
	q := h.authenticate(w, r, byKID)
	if q == nil {
		return
	}
	if q.postAsGet() {
		h.writeProblem(w, r, acme.Malformedf("key-change needs the inner JWS as its payload"))
		return
	}
	acct, err := h.svc.KeyChange(r.Context(), q.prov, q.acct, q.payload, requestURL(r), q.links.Account(q.acct.ID))
	var inUse *acme.KeyInUseError
	if errors.As(err, &inUse) {
		w.Header().Set("Location", q.links.Account(inUse.AccountID))
		p := *inUse.Problem
		p.Status = http.StatusConflict
		h.writeProblem(w, r, &p)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Location", q.links.Account(acct.ID))
	writeJSON(w, http.StatusOK, acme.AccountJSON(acct, q.links))
}
