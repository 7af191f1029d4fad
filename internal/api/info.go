package api

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"net/http"
	"strings"

	"github.com/stride-pki/stride/internal/caerr"
)

// The read-only routes: health, version and the CA's certificates.

type statusBody struct {
	Status string `json:"status"`
}

type versionBody struct {
	Version string `json:"version"`
	// RequireClientAuthentication is step's reserved flag (hosted CAs);
	// nothing sets it, so it is always omitted.
	RequireClientAuthentication bool `json:"requireClientAuthentication,omitempty"`
}

type rootBody struct {
	CA string `json:"ca"`
}

type certsBody struct {
	Certificates []string `json:"crts"`
}

func (h *handler) health(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, statusBody{Status: "ok"})
}

func (h *handler) versionInfo(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, versionBody{Version: strings.TrimPrefix(h.version, "v")})
}

// root answers GET /root/{sha}: the root or federated root whose DER has
// that SHA-256; `step ca bootstrap` pins the CA with it.
func (h *handler) root(w http.ResponseWriter, r *http.Request) {
	want := strings.ToLower(strings.ReplaceAll(r.PathValue("sha"), "-", ""))
	for _, c := range h.federated() {
		sum := sha256.Sum256(c.Raw)
		if hex.EncodeToString(sum[:]) == want {
			writeJSON(w, http.StatusOK, rootBody{CA: certPEM(c)})
			return
		}
	}
	writeError(w, r, caerr.NotFoundf("root with fingerprint %s was not found", want))
}

// roots, intermediates and federation answer 201, not 200: step-ca does,
// and its clients accept both (reference §14.1).
func (h *handler) roots(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusCreated, certsBody{Certificates: certsPEM(h.auth.Roots())})
}

func (h *handler) rootsPEM(w http.ResponseWriter, _ *http.Request) {
	writePEM(w, h.auth.Roots())
}

func (h *handler) intermediates(w http.ResponseWriter, r *http.Request) {
	ints := h.auth.Intermediates()
	if len(ints) == 0 {
		writeError(w, r, caerr.NotImplementedf("no intermediate certificates are configured"))
		return
	}
	writeJSON(w, http.StatusCreated, certsBody{Certificates: certsPEM(ints)})
}

func (h *handler) intermediatesPEM(w http.ResponseWriter, r *http.Request) {
	ints := h.auth.Intermediates()
	if len(ints) == 0 {
		writeError(w, r, caerr.NotImplementedf("no intermediate certificates are configured"))
		return
	}
	writePEM(w, ints)
}

func (h *handler) federation(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusCreated, certsBody{Certificates: certsPEM(h.federated())})
}

// federated is the own roots then the federated ones, without duplicates
// (a root listed in both places appears once).
func (h *handler) federated() []*x509.Certificate {
	roots := h.auth.Roots()
	out := append([]*x509.Certificate(nil), roots...)
next:
	for _, f := range h.auth.FederatedRoots() {
		for _, c := range out {
			if bytes.Equal(c.Raw, f.Raw) {
				continue next
			}
		}
		out = append(out, f)
	}
	return out
}
