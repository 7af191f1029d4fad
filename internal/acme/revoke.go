package acme

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/base64"
	"errors"

	"github.com/stride-pki/stride/internal/storage"
)

// RevokeRequest is a revoke-cert payload (RFC 8555 §7.6).
type RevokeRequest struct {
	Certificate string `json:"certificate"` // base64url DER
	Reason      *int   `json:"reason"`
}

// reasonUnused (7) is unused in RFC 5280 CRLs, and removeFromCRL (8) is
// only meaningful in delta CRLs (RFC 5280 §5.3.1), which Stride does not
// publish: a full CRL entry with it would be invalid. The rest of 0..10
// are the CRLReason codes a subscriber may give.
const (
	reasonUnused        = 7
	reasonRemoveFromCRL = 8
)

// Revoke revokes a certificate this provisioner issued through ACME. The
// request is authorized by exactly one of acct (the kid of the account that
// ordered it) and certKey (the jwk of a JWS signed with the certificate's
// own key).
func (s *Service) Revoke(ctx context.Context, p *Provisioner, req RevokeRequest, acct *storage.ACMEAccount, certKey crypto.PublicKey) error {
	reason := 0
	if req.Reason != nil {
		reason = *req.Reason
	}
	if reason < 0 || reason > 10 || reason == reasonUnused || reason == reasonRemoveFromCRL {
		return problemf(ProbBadRevocationReason, "reason %d is not a revocation reason a subscriber may give (0-10 except 7 and 8)", reason)
	}
	der, err := base64.RawURLEncoding.DecodeString(req.Certificate)
	if err != nil {
		return Malformedf("certificate is not base64url DER")
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return Malformedf("certificate cannot be parsed")
	}
	serial := cert.SerialNumber.String()
	if prob := s.authorizeRevoke(ctx, p, cert, der, acct, certKey); prob != nil {
		return prob
	}
	err = s.store.Revoke(ctx, storage.Revocation{Serial: serial, ReasonCode: reason, RevokedAt: s.now().UTC(),
		ExpiresAt: cert.NotAfter, ProvisionerID: p.ID, ACME: true}, nil)
	switch {
	case errors.Is(err, storage.ErrAlreadyRevoked):
		return problemf(ProbAlreadyRevoked, "the certificate is revoked already")
	case err != nil:
		return internal(err, "to record the revocation")
	}
	return nil
}

// authorizeRevoke checks that the certificate is one this provisioner
// issued through ACME and that the requester holds it: its account, its
// key, or an account with valid authorizations for all its names (RFC 8555
// §7.6). Anything else gets the same answer, so a stranger learns nothing.
func (s *Service) authorizeRevoke(ctx context.Context, p *Provisioner, cert *x509.Certificate, der []byte, acct *storage.ACMEAccount, certKey crypto.PublicKey) *Problem {
	denied := problemf(ProbUnauthorized, "no authorization provided for this certificate")
	serial := cert.SerialNumber.String()
	stored, err := s.store.Certificate(ctx, serial)
	if errors.Is(err, storage.ErrNotFound) || (err == nil && !bytes.Equal(stored.DER, der)) {
		return denied
	} else if err != nil {
		return internal(err, "to look the certificate up")
	}
	o, err := s.store.ACMEOrderByCertificate(ctx, serial)
	if errors.Is(err, storage.ErrNotFound) {
		return denied
	} else if err != nil {
		return internal(err, "to look the order up")
	}
	if o.Provisioner != p.Name {
		return denied
	}
	switch {
	case acct != nil && o.AccountID == acct.ID:
		return nil
	case certKey != nil && publicKeyEqual(certKey, cert.PublicKey):
		return nil
	case acct != nil:
		ok, err := s.holdsAuthorizations(ctx, p, acct, cert)
		if err != nil {
			return internal(err, "to look the account's authorizations up")
		}
		if ok {
			return nil
		}
	}
	return denied
}

func publicKeyEqual(a, b crypto.PublicKey) bool {
	k, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && k.Equal(b)
}
