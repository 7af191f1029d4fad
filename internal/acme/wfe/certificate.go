package wfe

import (
	"encoding/pem"
	"net/http"

	"github.com/stride-pki/stride/internal/acme"
)

// certificate downloads an issued certificate with its chain (RFC 8555
// §7.4.2) as application/pem-certificate-chain: leaf, then intermediates.
func (h *handler) certificate(w http.ResponseWriter, r *http.Request) {
	q := h.authenticate(w, r, byKID)
	if q == nil {
		return
	}
	if !q.postAsGet() {
		h.writeProblem(w, r, acme.Malformedf("a certificate is read with POST-as-GET (an empty payload)"))
		return
	}
	chain, err := h.svc.CertificateChain(r.Context(), q.acct, r.PathValue("serial"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pem-certificate-chain")
	w.WriteHeader(http.StatusOK)
	for _, der := range chain {
		pem.Encode(w, &pem.Block{Type: "CERTIFICATE", Bytes: der})
	}
}

// revoke revokes a certificate (RFC 8555 §7.6), authorized by the
// account that ordered it (kid) or by the certificate's key (jwk); 200
// with an empty body.
func (h *handler) revoke(w http.ResponseWriter, r *http.Request) {
	q := h.authenticate(w, r, byEither)
	if q == nil {
		return
	}
	var req acme.RevokeRequest
	if prob := q.decode(&req); prob != nil {
		h.writeProblem(w, r, prob)
		return
	}
	var err error
	if q.jwk != nil {
		err = h.svc.Revoke(r.Context(), q.prov, req, nil, q.jwk.Key)
	} else {
		err = h.svc.Revoke(r.Context(), q.prov, req, q.acct, nil)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusOK)
}
