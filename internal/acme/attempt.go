package acme

import (
	"context"
	"errors"
	"time"

	"github.com/stride-pki/stride/internal/storage"
)

// claimMargin is added to the attempt timeout to make the claim's lease:
// long enough that a live attempt always records its result first.
const claimMargin = 30 * time.Second

// errNotDue: the authorization was claimed or changed by someone else.
var errNotDue = errors.New("acme: validation not due")

// attempt runs one validation attempt of authorization id: claim, check,
// record. Failures to reach storage are logged; the lease makes the
// authorization due again, so nothing is lost.
func (w *Worker) attempt(ctx context.Context, id string) {
	claimed, err := w.claim(ctx, id)
	if err != nil {
		if !errors.Is(err, errNotDue) && ctx.Err() == nil {
			w.log.Warn("acme: claiming a validation", "authz", id, "error", err)
		}
		return
	}
	ch := processingChallenge(claimed)
	if ch == nil || claimed.ValidateAt.IsZero() {
		return // it left the queue
	}
	verr := w.check(ctx, claimed, ch)
	if ctx.Err() != nil {
		return // shutting down: the lease ends and the attempt is redone
	}
	if err := w.record(ctx, claimed, ch.ID, verr); err != nil {
		w.log.Warn("acme: recording a validation", "authz", id, "error", err)
		return
	}
	// One line per attempt: what an operator needs to answer "why is my
	// challenge invalid" without the client's output.
	w.log.Info("acme: validation attempt", "provisioner", claimed.Provisioner, "authz", id,
		"identifier", claimed.Identifier.Value, "challenge", ch.Type, "attempt", claimed.Attempts, "error", verr)
}

// claim takes the due authorization for one attempt by moving ValidateAt
// past the attempt's lease and counting the attempt.
func (w *Worker) claim(ctx context.Context, id string) (*storage.ACMEAuthz, error) {
	now := w.now().UTC()
	return updateAuthz(ctx, w.store, id, func(a *storage.ACMEAuthz) (bool, error) {
		if a.ValidateAt.IsZero() || a.ValidateAt.After(now) {
			return false, errNotDue
		}
		if a.Status != string(StatusPending) || processingChallenge(a) == nil {
			a.ValidateAt = time.Time{} // nothing left to validate: leave the queue
			return true, nil
		}
		a.ValidateAt = now.Add(w.timeout + claimMargin)
		a.Attempts++
		return true, nil
	})
}

// check performs the challenge's network check, then CAA when configured.
func (w *Worker) check(ctx context.Context, a *storage.ACMEAuthz, ch *storage.ACMEChallenge) error {
	acct, err := w.store.ACMEAccount(ctx, a.AccountID)
	if err != nil {
		return &ValidationError{Type: "serverInternal", Detail: "the account could not be read", Retryable: true}
	}
	ctx, cancel := context.WithTimeout(ctx, w.timeout)
	defer cancel()
	keyAuth := a.Token + "." + acct.KeyID
	id := a.Identifier
	switch ChallengeType(ch.Type) {
	case HTTP01:
		err = w.validator.HTTP01(ctx, id.Type, id.Value, a.Token, keyAuth)
	case DNS01:
		err = w.validator.DNS01(ctx, id.Value, keyAuth)
	case TLSALPN01:
		err = w.validator.TLSALPN01(ctx, id.Type, id.Value, keyAuth)
	default:
		return &ValidationError{Type: "malformed", Detail: "unsupported challenge type " + ch.Type}
	}
	if err != nil || w.caa == nil || id.Type != string(IdentifierDNS) {
		return err
	}
	if issuers := w.caa(a.Provisioner); len(issuers) > 0 {
		return w.validator.CAA(ctx, id.Value, a.Wildcard, issuers)
	}
	return nil
}

// record writes the attempt's outcome: valid; or, after a retryable
// failure with attempts left, queued again after a backoff (the challenge
// stays processing and shows the last error); or invalid. A client that
// deactivated the authorization meanwhile wins: nothing is written.
func (w *Worker) record(ctx context.Context, claimed *storage.ACMEAuthz, chID string, verr error) error {
	prob, retry := (*Problem)(nil), false
	if verr != nil {
		prob, retry = classify(verr, w.mapErr)
	}
	_, err := updateAuthz(ctx, w.store, claimed.ID, func(a *storage.ACMEAuthz) (bool, error) {
		ch := findChallenge(a, chID)
		if ch == nil || ch.Status != string(StatusProcessing) || a.Status != string(StatusPending) {
			return false, nil
		}
		now := w.now().UTC()
		switch {
		case prob == nil:
			ch.Status, ch.ValidatedAt, ch.Error = string(StatusValid), now, nil
			a.Status, a.ValidateAt = string(StatusValid), time.Time{}
		case retry && a.Attempts <= len(w.backoff):
			ch.Error = encodeProblem(prob)
			a.ValidateAt = now.Add(w.backoff[a.Attempts-1])
		default:
			ch.Status, ch.Error = string(StatusInvalid), encodeProblem(prob)
			a.Status, a.ValidateAt = string(StatusInvalid), time.Time{}
		}
		return true, nil
	})
	return err
}
