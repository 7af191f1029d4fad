package wfe

import "net/http"

// renewalInfo answers GET renewal-info/{certID} (RFC 9773 §4.2): no
// authentication, the suggested renewal window as JSON, and Retry-After
// saying when to ask again; 404 for a certificate this provisioner did not
// issue.
func (h *handler) renewalInfo(w http.ResponseWriter, r *http.Request) {
	p, ok := h.provisioner(w, r)
	if !ok {
		return
	}
	info, retry, err := h.svc.RenewalInfo(r.Context(), p, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	setRetryAfter(w, retry)
	writeJSON(w, http.StatusOK, info)
}
