package acme

import (
	"context"
	"errors"

	"github.com/stride-pki/stride/internal/storage"
)

// extendOrder applies what Stride adds to new-order beyond step-ca, once the
// core has built the order and before it is stored: the policy of the
// external account key the account was bound with, the profile (stored by
// its resolved name, so a later change of defaultProfile does not change
// what this order gets), and the certificate it replaces (RFC 9773 §5).
func (s *Service) extendOrder(ctx context.Context, p *Provisioner, acct *storage.ACMEAccount, req NewOrderRequest, order *storage.ACMEOrder) error {
	if err := s.checkEABPolicy(ctx, acct, order.Identifiers); err != nil {
		return err
	}
	prof, err := p.Profiles.Resolve(req.Profile)
	if err != nil {
		return err
	}
	order.Profile = prof.Name
	if req.Replaces != "" {
		if order.Replaces, err = CheckReplaces(ctx, s.store, acct.ID, req.Replaces, order.Identifiers); err != nil {
			return err
		}
	}
	return nil
}

// checkEABPolicy holds ids to the policy of acct's external account key.
// A key deleted since the binding takes its policy with it: the account
// keeps working (storage.ACME.DeleteACMEEABKey), now unrestricted by it.
func (s *Service) checkEABPolicy(ctx context.Context, acct *storage.ACMEAccount, ids []storage.ACMEIdentifier) error {
	if acct.EABKeyID == "" {
		return nil
	}
	k, err := s.store.ACMEEABKey(ctx, acct.EABKeyID)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return nil
	case err != nil:
		return internal(err, "to read the external account key")
	}
	return EABPolicyAllows(k.Policy, ids)
}
