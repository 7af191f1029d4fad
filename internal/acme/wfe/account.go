package wfe

import (
	"crypto"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/stride-pki/stride/internal/acme"
)

// newAccount creates or finds the account of the request's key (RFC 8555
// §7.3): 201 for a new account, 200 for an existing one, with its URL in
// Location either way.
func (h *handler) newAccount(w http.ResponseWriter, r *http.Request) {
	q := h.authenticate(w, r, byJWK)
	if q == nil {
		return
	}
	var req acme.NewAccountRequest
	if prob := q.decode(&req); prob != nil {
		h.writeProblem(w, r, prob)
		return
	}
	key, err := json.Marshal(q.jwk.Public())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	sum, err := q.jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	req.Key, req.KeyID, req.URL = key, base64.RawURLEncoding.EncodeToString(sum), q.links.NewAccount()
	acct, created, err := h.svc.NewAccount(r.Context(), q.prov, req)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Location", q.links.Account(acct.ID))
	status, out := http.StatusOK, acme.AccountJSON(acct, q.links)
	if created {
		// The binding is echoed on creation (RFC 8555 §7.1.2); it is not
		// stored, only the key it bound is.
		status, out.ExternalAccountBinding = http.StatusCreated, externalBinding(req.ExternalAccountBinding, acct.EABKeyID)
	}
	writeJSON(w, status, out)
}

// ownAccount checks that the account in the path is the signer's.
func (h *handler) ownAccount(w http.ResponseWriter, r *http.Request, q *request) bool {
	if r.PathValue("id") != q.acct.ID {
		h.writeProblem(w, r, &acme.Problem{Type: acme.ProbUnauthorized, Detail: "the kid is not this account"})
		return false
	}
	return true
}

// account reads (POST-as-GET), updates the contacts of, or deactivates
// the signer's account (RFC 8555 §7.3.2, §7.3.6).
func (h *handler) account(w http.ResponseWriter, r *http.Request) {
	q := h.authenticate(w, r, byKID)
	if q == nil || !h.ownAccount(w, r, q) {
		return
	}
	acct := q.acct
	if !q.postAsGet() {
		var u acme.AccountUpdate
		if prob := q.decode(&u); prob != nil {
			h.writeProblem(w, r, prob)
			return
		}
		var err error
		if acct, err = h.svc.UpdateAccount(r.Context(), acct, u); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	w.Header().Set("Location", q.links.Account(acct.ID))
	writeJSON(w, http.StatusOK, acme.AccountJSON(acct, q.links))
}

// orders lists the account's orders (RFC 8555 §7.1.2.1) as {"orders":[…]},
// paginated with Link rel="next". step-ca answers a bare array of only the
// pending orders; Stride follows the RFC.
func (h *handler) orders(w http.ResponseWriter, r *http.Request) {
	q := h.authenticate(w, r, byKID)
	if q == nil || !h.ownAccount(w, r, q) {
		return
	}
	ids, next, err := h.svc.ListOrders(r.Context(), q.acct, r.URL.Query().Get("cursor"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := acme.OrderList{Orders: make([]string, 0, len(ids))}
	for _, id := range ids {
		out.Orders = append(out.Orders, q.links.Order(id))
	}
	if next != "" {
		addLink(w, q.links.Orders(q.acct.ID)+"?cursor="+url.QueryEscape(next), "next")
	}
	writeJSON(w, http.StatusOK, out)
}
