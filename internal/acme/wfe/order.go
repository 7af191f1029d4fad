package wfe

import (
	"encoding/base64"
	"net/http"

	"github.com/stride-pki/stride/internal/acme"
	"github.com/stride-pki/stride/internal/storage"
)

// newOrder creates an order (RFC 8555 §7.4): 201 with its URL in Location.
func (h *handler) newOrder(w http.ResponseWriter, r *http.Request) {
	q := h.authenticate(w, r, byKID)
	if q == nil {
		return
	}
	var req acme.NewOrderRequest
	if prob := q.decode(&req); prob != nil {
		h.writeProblem(w, r, prob)
		return
	}
	o, err := h.svc.NewOrder(r.Context(), q.prov, q.acct, req)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeOrder(w, q, o, http.StatusCreated)
}

// order reads an order (POST-as-GET).
func (h *handler) order(w http.ResponseWriter, r *http.Request) {
	q := h.authenticate(w, r, byKID)
	if q == nil {
		return
	}
	if !q.postAsGet() {
		h.writeProblem(w, r, acme.Malformedf("an order is read with POST-as-GET (an empty payload)"))
		return
	}
	o, err := h.svc.Order(r.Context(), q.acct, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeOrder(w, q, o, http.StatusOK)
}

// finalize submits the CSR of a ready order (RFC 8555 §7.4); the answer is
// the order, valid with its certificate URL once issued.
func (h *handler) finalize(w http.ResponseWriter, r *http.Request) {
	q := h.authenticate(w, r, byKID)
	if q == nil {
		return
	}
	var req struct {
		CSR string `json:"csr"`
	}
	if prob := q.decode(&req); prob != nil {
		h.writeProblem(w, r, prob)
		return
	}
	der, err := base64.RawURLEncoding.DecodeString(req.CSR)
	if err != nil || len(der) == 0 {
		h.writeProblem(w, r, &acme.Problem{Type: acme.ProbBadCSR, Detail: "csr is not base64url DER"})
		return
	}
	o, err := h.svc.Finalize(r.Context(), q.prov, q.acct, r.PathValue("id"), der)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeOrder(w, q, o, http.StatusOK)
}

func (h *handler) writeOrder(w http.ResponseWriter, q *request, o *storage.ACMEOrder, status int) {
	w.Header().Set("Location", q.links.Order(o.ID))
	if o.Status == string(acme.StatusProcessing) {
		setRetryAfter(w, acme.RetryAfter)
	}
	writeJSON(w, status, acme.OrderJSON(o, q.links))
}
