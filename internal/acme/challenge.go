package acme

import (
	"context"
	"time"

	"github.com/stride-pki/stride/internal/storage"
)

// Challenge returns the account's challenge chID of authorization authzID
// (POST-as-GET) with its authorization.
func (s *Service) Challenge(ctx context.Context, acct *storage.ACMEAccount, authzID, chID string) (*storage.ACMEAuthz, *storage.ACMEChallenge, error) {
	a, err := s.Authz(ctx, acct, authzID)
	if err != nil {
		return nil, nil, err
	}
	ch := findChallenge(a, chID)
	if ch == nil {
		return nil, nil, notFoundf("no such challenge")
	}
	return a, ch, nil
}

func findChallenge(a *storage.ACMEAuthz, id string) *storage.ACMEChallenge {
	for i := range a.Challenges {
		if a.Challenges[i].ID == id {
			return &a.Challenges[i]
		}
	}
	return nil
}

// RespondChallenge is the client's "ready, validate" (RFC 8555 §7.5.1): a
// pending challenge of a pending authorization becomes processing and the
// authorization is queued for validation now; the answer does not wait for
// the validation (the Worker does it). A challenge that is not pending, or
// whose authorization is validating another challenge, is returned as is:
// each challenge is attempted once and the client polls.
func (s *Service) RespondChallenge(ctx context.Context, acct *storage.ACMEAccount, authzID, chID string) (*storage.ACMEAuthz, *storage.ACMEChallenge, error) {
	queued := false
	a, err := s.updateAuthz(ctx, authzID, func(a *storage.ACMEAuthz) (bool, error) {
		queued = false // a lost race redoes this with the winner's state
		if a.AccountID != acct.ID {
			return false, problemf(ProbUnauthorized, "the authorization belongs to another account")
		}
		ch := findChallenge(a, chID)
		if ch == nil {
			return false, notFoundf("no such challenge")
		}
		if s.expireAuthz(a) {
			return true, nil
		}
		if a.Status != string(StatusPending) || ch.Status != string(StatusPending) || processing(a) {
			return false, nil
		}
		ch.Status = string(StatusProcessing)
		a.ValidateAt, a.Attempts = s.now().UTC(), 0
		queued = true
		return true, nil
	})
	if err != nil {
		return nil, nil, err
	}
	if queued {
		s.wake()
	}
	return a, findChallenge(a, chID), nil
}

// processing reports whether one of a's challenges is being validated.
func processing(a *storage.ACMEAuthz) bool { return processingChallenge(a) != nil }

func processingChallenge(a *storage.ACMEAuthz) *storage.ACMEChallenge {
	for i := range a.Challenges {
		if a.Challenges[i].Status == string(StatusProcessing) {
			return &a.Challenges[i]
		}
	}
	return nil
}

// RetryAfter is the polling interval the edge advertises for processing
// challenges and orders (RFC 8555 §8.2).
const RetryAfter = 2 * time.Second
