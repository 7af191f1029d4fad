package wfe

import (
	"net/http"

	"github.com/stride-pki/stride/internal/acme"
)

// directory answers the directory (RFC 8555 §7.1.1) with absolute URLs for
// the Host the client used, with Stride's additions: renewalInfo (RFC 9773)
// and meta.profiles (draft-aaron-acme-profiles) when the provisioner has
// profiles.
func (h *handler) directory(w http.ResponseWriter, r *http.Request) {
	p, ok := h.provisioner(w, r)
	if !ok {
		return
	}
	l := linksFor(r, p.Name)
	dir := acme.Directory{NewNonce: l.NewNonce(), NewAccount: l.NewAccount(), NewOrder: l.NewOrder(),
		RevokeCert: l.RevokeCert(), KeyChange: l.KeyChange(), RenewalInfo: l.RenewalInfo()}
	meta := acme.DirectoryMeta{TermsOfService: p.TermsOfService, Website: p.Website,
		CAAIdentities: p.CAAIdentities, ExternalAccountRequired: p.RequireEAB, Profiles: p.Profiles.Meta()}
	if meta.TermsOfService != "" || meta.Website != "" || len(meta.CAAIdentities) > 0 || meta.ExternalAccountRequired ||
		len(meta.Profiles) > 0 {
		dir.Meta = &meta
	}
	writeJSON(w, http.StatusOK, dir)
}

// newNonce answers a fresh nonce (RFC 8555 §7.2): HEAD 200, GET 204; the
// nonce itself is set for every response by withNonce.
func (h *handler) newNonce(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.provisioner(w, r); !ok {
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	if r.Method == http.MethodHead {
		w.WriteHeader(http.StatusOK)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
