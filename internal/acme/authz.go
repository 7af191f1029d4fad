package acme

import (
	"context"
	"time"

	"github.com/stride-pki/stride/internal/storage"
)

// authzStatus is a's status as of now: a pending or valid authorization
// past its expiry is expired (RFC 8555 §7.1.6), whether or not that was
// written back yet.
func authzStatus(a *storage.ACMEAuthz, now time.Time) Status {
	st := Status(a.Status)
	if (st == StatusPending || st == StatusValid) && now.After(a.ExpiresAt) {
		return StatusExpired
	}
	return st
}

// Authz returns the account's authorization id, marked expired when it is.
func (s *Service) Authz(ctx context.Context, acct *storage.ACMEAccount, id string) (*storage.ACMEAuthz, error) {
	return s.updateAuthz(ctx, id, func(a *storage.ACMEAuthz) (bool, error) {
		if a.AccountID != acct.ID {
			return false, problemf(ProbUnauthorized, "the authorization belongs to another account")
		}
		return s.expireAuthz(a), nil
	})
}

// expireAuthz writes an expiry into a (and leaves the validation queue).
func (s *Service) expireAuthz(a *storage.ACMEAuthz) bool {
	if authzStatus(a, s.now()) != StatusExpired || a.Status == string(StatusExpired) {
		return false
	}
	a.Status, a.ValidateAt = string(StatusExpired), time.Time{}
	return true
}

// DeactivateAuthz lets the client give up an authorization (RFC 8555
// §7.5.2): a pending or valid one becomes deactivated, which also ends a
// queued validation; deactivating again returns it unchanged.
func (s *Service) DeactivateAuthz(ctx context.Context, acct *storage.ACMEAccount, id string) (*storage.ACMEAuthz, error) {
	return s.updateAuthz(ctx, id, func(a *storage.ACMEAuthz) (bool, error) {
		if a.AccountID != acct.ID {
			return false, problemf(ProbUnauthorized, "the authorization belongs to another account")
		}
		switch authzStatus(a, s.now()) {
		case StatusDeactivated:
			return false, nil
		case StatusPending, StatusValid:
			a.Status, a.ValidateAt = string(StatusDeactivated), time.Time{}
			return true, nil
		}
		return false, Malformedf("an authorization that is %s cannot be deactivated", a.Status)
	})
}
