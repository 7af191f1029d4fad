package authority

import (
	"context"
	"errors"
	"math/big"
	"strings"

	"github.com/stride-pki/stride/internal/caerr"
	"github.com/stride-pki/stride/internal/storage"
)

// Revoke records a passive revocation, authorized either by a one-time
// token whose subject is the serial, or by the certificate itself over mTLS.
// The revocation and the used token commit together.
func (a *Authority) Revoke(ctx context.Context, req RevokeRequest) error {
	serial, err := NormalizeSerial(req.Serial)
	if err != nil {
		return err
	}
	if !req.Passive {
		return caerr.NotImplementedf("non-passive revocation not implemented")
	}
	if req.ReasonCode < 0 || req.ReasonCode > 10 || req.ReasonCode == 7 {
		return caerr.BadRequestf("reasonCode %d is not a valid RFC 5280 revocation reason (0-10, except 7)", req.ReasonCode)
	}
	rev := storage.Revocation{Serial: serial, ReasonCode: req.ReasonCode, Reason: req.Reason, RevokedAt: a.now().UTC()}
	var used *storage.UsedToken
	switch {
	case req.OTT != "":
		prov, err := a.provs.Lookup(req.OTT)
		if err != nil {
			return err
		}
		auth, err := prov.AuthorizeRevoke(ctx, req.OTT)
		if err != nil {
			return err
		}
		if auth.Serial != serial {
			return caerr.Forbiddenf("the token's subject %q is not the serial number %q", auth.Serial, serial)
		}
		rev.ProvisionerID, rev.TokenID = prov.ID(), auth.Token.ID
		used = &storage.UsedToken{ID: auth.Token.ID, ExpiresAt: auth.Token.ExpiresAt}
	case req.MTLSCert != nil:
		if req.MTLSCert.SerialNumber.String() != serial {
			return caerr.Forbiddenf("a client certificate may revoke only itself: serial %q is not %q", serial, req.MTLSCert.SerialNumber.String())
		}
		if err := req.MTLSCert.CheckSignatureFrom(a.issuer); err != nil {
			return caerr.Unauthorizedf("the client certificate was not issued by this CA")
		}
		rev.MTLS = true
		if p := a.provisionerOf(ctx, req.MTLSCert); p != nil {
			rev.ProvisionerID = p.ID()
		}
	default:
		return caerr.BadRequestf("missing ott or client certificate")
	}
	if rec, err := a.store.Certificate(ctx, serial); err == nil {
		rev.ExpiresAt = rec.NotAfter
	}
	return revokeError(a.store.Revoke(ctx, rev, used), serial)
}

func revokeError(err error, serial string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, storage.ErrAlreadyRevoked):
		return caerr.BadRequestf("certificate with serial number '%s' is already revoked", serial)
	case errors.Is(err, storage.ErrTokenUsed):
		return caerr.Unauthorizedf("token already used")
	}
	return caerr.Wrap(caerr.Unavailable, err, "the revocation could not be recorded")
}

// NormalizeSerial accepts a decimal serial or a 0x-prefixed hex one and
// returns it in decimal, as step stores serials.
func NormalizeSerial(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", caerr.BadRequestf("missing serial")
	}
	n, ok := new(big.Int), false
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		_, ok = n.SetString(s[2:], 16)
	} else {
		_, ok = n.SetString(s, 10)
	}
	if !ok || n.Sign() < 0 {
		return "", caerr.BadRequestf("serial %q is not a decimal or 0x-hex number", s)
	}
	return n.String(), nil
}
