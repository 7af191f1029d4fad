package api

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/stride-pki/stride/internal/caerr"
	"github.com/stride-pki/stride/internal/config"
)

// Pagination of /provisioners, as step-ca: 20 by default, at most 100.
const (
	defaultProvisionerLimit = 20
	maxProvisionerLimit     = 100
)

type provisionersBody struct {
	Provisioners []config.Provisioner `json:"provisioners"`
	NextCursor   string               `json:"nextCursor"`
}

type encryptedKeyBody struct {
	Key string `json:"key"`
}

// provisioners answers GET /provisioners?cursor=&limit=. The list is public
// (clients pick a provisioner and fetch its encrypted key from it), so the
// SCEP secrets are redacted here, whatever the core returns.
func (h *handler) provisioners(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err := provisionerLimit(q.Get("limit"))
	if err != nil {
		writeError(w, r, err)
		return
	}
	list, next, err := h.auth.Provisioners(r.Context(), q.Get("cursor"), limit)
	if err != nil {
		writeError(w, r, err)
		return
	}
	out := make([]config.Provisioner, 0, len(list))
	for _, p := range list {
		rp, err := redact(p)
		if err != nil {
			writeError(w, r, err)
			return
		}
		out = append(out, rp)
	}
	writeJSON(w, http.StatusOK, provisionersBody{Provisioners: out, NextCursor: next})
}

// provisionerLimit parses ?limit: absent or < 1 is the default, above the
// maximum is the maximum, not an integer is a 400.
func provisionerLimit(s string) (int, error) {
	if s == "" {
		return defaultProvisionerLimit, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, caerr.BadRequestf("limit '%s' is not an integer", s)
	}
	switch {
	case n < 1:
		return defaultProvisionerLimit, nil
	case n > maxProvisionerLimit:
		return maxProvisionerLimit, nil
	}
	return n, nil
}

// Redacted stands in for a secret in the public provisioner list.
const Redacted = "*** REDACTED ***"

// scepSecrets are the SCEP members step-ca hides from /provisioners: the
// static challenge and the decrypter's certificate, key, key URI and
// password.
var scepSecrets = []string{"challenge", "decrypterCertificate", "decrypterKeyPEM", "decrypterKey", "decrypterKeyPassword"}

// redact replaces the non-empty SCEP secrets of p with Redacted.
func redact(p config.Provisioner) (config.Provisioner, error) {
	if p.Type() != config.ProvisionerSCEP {
		return p, nil
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(p.Raw(), &members); err != nil {
		return config.Provisioner{}, err
	}
	hide := map[string]string{}
	for _, k := range scepSecrets {
		if v, ok := members[k]; ok && !emptyJSON(v) {
			hide[k] = Redacted
		}
	}
	if len(hide) == 0 {
		return p, nil
	}
	// Set writes into a copy: p's raw bytes belong to the caller.
	var out config.Provisioner
	if err := out.UnmarshalJSON(p.Raw()); err != nil {
		return config.Provisioner{}, err
	}
	if err := out.Set(hide); err != nil {
		return config.Provisioner{}, err
	}
	return out, nil
}

func emptyJSON(v json.RawMessage) bool {
	switch string(v) {
	case `null`, `""`, `[]`, `{}`:
		return true
	}
	return false
}

// encryptedKey answers GET /provisioners/{kid}/encrypted-key.
func (h *handler) encryptedKey(w http.ResponseWriter, r *http.Request) {
	key, err := h.auth.EncryptedKey(r.Context(), r.PathValue("kid"))
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, encryptedKeyBody{Key: key})
}
