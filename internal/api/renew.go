package api

import (
	"crypto/x509"
	"net/http"
	"strings"

	"github.com/stride-pki/stride/internal/authority"
	"github.com/stride-pki/stride/internal/caerr"
)

// rekeyBody is the /rekey request.
type rekeyBody struct {
	CSR string `json:"csr"`
}

// peerCertificate is the client certificate of an mTLS connection, which
// crypto/tls verified against the client CA pool (VerifyClientCertIfGiven).
func peerCertificate(r *http.Request) *x509.Certificate {
	if r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
		return r.TLS.PeerCertificates[0]
	}
	return nil
}

// bearerToken returns the token of an `Authorization: Bearer <token>`
// header, "" if there is none. The scheme is case-insensitive (RFC 9110 §11.1).
func bearerToken(r *http.Request) string {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

// renew answers POST /renew (and /re-sign). As in step-ca the mTLS
// certificate wins over a bearer token: the token path exists for clients
// that cannot present the certificate (expired, or --mtls=false).
func (h *handler) renew(w http.ResponseWriter, r *http.Request) {
	var (
		issued *authority.Issued
		err    error
	)
	switch peer, token := peerCertificate(r), bearerToken(r); {
	case peer != nil:
		issued, err = h.auth.Renew(r.Context(), peer)
	case token != "":
		issued, err = h.auth.RenewWithToken(r.Context(), token)
	default:
		writeError(w, r, caerr.BadRequestf("missing client certificate"))
		return
	}
	if err != nil {
		h.metrics.X509Renewed(provisionerName(peerCertificate(r)), false)
		writeError(w, r, err)
		return
	}
	name := provisionerName(issued.Certificate)
	h.metrics.X509Renewed(name, true)
	h.writeIssued(w, r, issued, name)
}

// rekey answers POST /rekey: mTLS only, the new key comes from the CSR.
func (h *handler) rekey(w http.ResponseWriter, r *http.Request) {
	peer := peerCertificate(r)
	if peer == nil {
		writeError(w, r, caerr.BadRequestf("missing client certificate"))
		return
	}
	var b rekeyBody
	if err := decodeJSON(r, &b); err != nil {
		writeError(w, r, err)
		return
	}
	csr, err := parseCSR(b.CSR)
	if err != nil {
		writeError(w, r, err)
		return
	}
	issued, err := h.auth.Rekey(r.Context(), peer, csr)
	if err != nil {
		h.metrics.X509Rekeyed(provisionerName(peer), false)
		writeError(w, r, err)
		return
	}
	name := provisionerName(issued.Certificate)
	h.metrics.X509Rekeyed(name, true)
	h.writeIssued(w, r, issued, name)
}
