package api

import (
	"log/slog"
	"math/big"
	"net/http"
	"strings"

	"github.com/stride-pki/stride/internal/authority"
	"github.com/stride-pki/stride/internal/caerr"
)

// revokeBody is the /revoke request (reference §1.2).
type revokeBody struct {
	Serial     string `json:"serial"`
	OTT        string `json:"ott"`
	ReasonCode int    `json:"reasonCode"`
	Reason     string `json:"reason"`
	Passive    bool   `json:"passive"`
}

// normalizeSerial returns a serial number in decimal, the form step uses in
// storage, tokens and APIs. It accepts decimal or 0x-prefixed hex.
func normalizeSerial(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", caerr.BadRequestf("missing serial")
	}
	digits, base := s, 10
	if len(s) > 2 && (s[:2] == "0x" || s[:2] == "0X") {
		digits, base = s[2:], 16
	}
	// big.Int.SetString would also take a sign and underscores; a serial has
	// neither, so check the digits first.
	for _, c := range strings.ToLower(digits) {
		if !('0' <= c && c <= '9' || base == 16 && 'a' <= c && c <= 'f') {
			return "", caerr.BadRequestf("serial number '%s' is neither decimal nor 0x-prefixed hexadecimal", s)
		}
	}
	n, ok := new(big.Int).SetString(digits, base)
	if !ok {
		return "", caerr.BadRequestf("serial number '%s' is neither decimal nor 0x-prefixed hexadecimal", s)
	}
	return n.String(), nil
}

// decodeRevoke reads and checks a /revoke body; the checks that need no
// authority are made here so the core gets a well-formed request.
func decodeRevoke(r *http.Request) (authority.RevokeRequest, error) {
	var b revokeBody
	if err := decodeJSON(r, &b); err != nil {
		return authority.RevokeRequest{}, err
	}
	serial, err := normalizeSerial(b.Serial)
	if err != nil {
		return authority.RevokeRequest{}, err
	}
	if b.ReasonCode < 0 || b.ReasonCode > 10 {
		return authority.RevokeRequest{}, caerr.BadRequestf("reasonCode %d is out of bounds (0 to 10)", b.ReasonCode)
	}
	if !b.Passive {
		return authority.RevokeRequest{}, caerr.NotImplementedf("non-passive revocation not implemented")
	}
	req := authority.RevokeRequest{Serial: serial, OTT: b.OTT, ReasonCode: b.ReasonCode, Reason: b.Reason, Passive: true}
	if req.OTT != "" {
		return req, nil
	}
	// Without a token the mTLS certificate authorizes, and only itself.
	peer := peerCertificate(r)
	if peer == nil {
		return authority.RevokeRequest{}, caerr.Unauthorizedf("missing ott or client certificate")
	}
	if peer.SerialNumber.String() != serial {
		return authority.RevokeRequest{}, caerr.Forbiddenf("the client certificate's serial number is not the one to revoke")
	}
	req.MTLSCert = peer
	return req, nil
}

// revoke answers POST /revoke with 200 {"status":"ok"}.
func (h *handler) revoke(w http.ResponseWriter, r *http.Request) {
	req, err := decodeRevoke(r)
	if err != nil {
		writeError(w, r, err)
		return
	}
	LogAttrs(r.Context(), slog.String("serial", req.Serial), slog.Int("reasonCode", req.ReasonCode))
	if err := h.auth.Revoke(r.Context(), req); err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, statusBody{Status: "ok"})
}
