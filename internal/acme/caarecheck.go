package acme

import (
	"context"
	"time"

	"github.com/stride-pki/stride/internal/storage"
)

// CAARecheckAfter is how old a validation may be at finalize before the
// names' CAA records are checked again: the Baseline Requirements' 8 hours
// (BR 3.2.2.8), which Stride follows for provisioners with caaIdentities.
// An authorization lives as long as its order (24 h), so without the
// recheck a CAA change could be ignored for most of a day.
const CAARecheckAfter = 8 * time.Hour

// CAACheck checks the CAA records of domain for issuers (RFC 8659); the
// Validator's CAA method.
type CAACheck func(ctx context.Context, domain string, wildcard bool, issuers []string) error

// recheckCAA checks CAA again, once per name, for every dns authorization
// of o validated more than CAARecheckAfter ago, when p has caaIdentities
// (the check at validation time covers the rest). A refusal is the
// problem the validator's error maps to (caa), naming the identifier.
func (s *Service) recheckCAA(ctx context.Context, p *Provisioner, o *storage.ACMEOrder) *Problem {
	if s.caa == nil || len(p.CAAIdentities) == 0 {
		return nil
	}
	for _, id := range o.AuthzIDs {
		a, err := s.store.ACMEAuthz(ctx, id)
		if err != nil {
			return internal(err, "to read an authorization")
		}
		if a.Identifier.Type != string(IdentifierDNS) || s.now().Sub(validatedAt(a)) <= CAARecheckAfter {
			continue
		}
		if err := s.caa(ctx, a.Identifier.Value, a.Wildcard, p.CAAIdentities); err != nil {
			prob, _ := classify(err, s.mapErr)
			return problemf(prob.Type, "CAA recheck for %s: %s", a.Identifier.Value, prob.Detail)
		}
	}
	return nil
}

// validatedAt is when a's valid challenge was validated; zero (so always
// stale) when none says.
func validatedAt(a *storage.ACMEAuthz) time.Time {
	var t time.Time
	for _, ch := range a.Challenges {
		if ch.Status == string(StatusValid) && ch.ValidatedAt.After(t) {
			t = ch.ValidatedAt
		}
	}
	return t
}
