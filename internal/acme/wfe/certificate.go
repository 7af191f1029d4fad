package wfe

import (
	"encoding/pem"
	"net/http"
	"strconv"

	"github.com/stride-pki/stride/internal/acme"
)

// certificate downloads an issued certificate with its chain (RFC 8555
// §7.4.2) as application/pem-certificate-chain: leaf, then the default
// chain at .../certificate/{serial}, or alternate chain n at
// .../certificate/{serial}/{n}; each answer links every other chain with
// Link rel="alternate".
func (h *handler) certificate(w http.ResponseWriter, r *http.Request) {
	q := h.authenticate(w, r, byKID)
	if q == nil {
		return
	}
	if !q.postAsGet() {
		h.writeProblem(w, r, acme.Malformedf("a certificate is read with POST-as-GET (an empty payload)"))
		return
	}
	serial, n := r.PathValue("serial"), 0
	if s := r.PathValue("n"); s != "" {
		// Only 1…, in canonical form: chain 0 has one URL, without a number.
		var err error
		if n, err = strconv.Atoi(s); err != nil || n < 1 || strconv.Itoa(n) != s {
			h.writeProblem(w, r, &acme.Problem{Type: acme.ProbMalformed, Missing: true, Detail: "no such certificate chain"})
			return
		}
	}
	chain, alternates, err := h.svc.CertificateChain(r.Context(), q.acct, serial, n)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for i := 0; i <= alternates; i++ {
		if i != n {
			addLink(w, q.links.CertificateChain(serial, i), "alternate")
		}
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
