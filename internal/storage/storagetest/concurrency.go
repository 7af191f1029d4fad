package storagetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stride-pki/stride/internal/storage"
)

// workers is how many goroutines race in each concurrency test: enough to
// land several callers in one group-committed transaction.
const workers = 32

func runConcurrency(t *testing.T, o opener) {
	o.subtests(t, []namedCase{
		{"ReplayedUseTokenHasOneWinner", concUseToken},
		{"ReplayedIssuanceTokenHasOneWinner", concIssuanceToken},
		{"SameSerialHasOneWinner", concSameSerial},
		{"DistinctCertificatesAllStored", concDistinct},
		{"ConflictsDoNotFailOthers", concMixed},
		{"RevokeOneSerialHasOneWinner", concRevoke},
	})
}

// race runs fn(i) for i in [0, n) at once and returns the errors by i.
func race(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = fn(i)
		}()
	}
	close(start)
	wg.Wait()
	return errs
}

// oneWinner fails unless exactly one error is nil and all others are loss;
// it returns the winner's index.
func oneWinner(t *testing.T, errs []error, loss error) int {
	t.Helper()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Fatalf("callers %d and %d both succeeded; want exactly one", winner, i)
		case err == nil:
			winner = i
		case !errors.Is(err, loss):
			t.Fatalf("caller %d: error = %v, want %v", i, err, loss)
		}
	}
	if winner < 0 {
		t.Fatalf("no caller succeeded; want exactly one")
	}
	return winner
}

func concUseToken(t *testing.T, s storage.Store) {
	tok := newToken(t, base.Add(time.Hour))
	errs := race(workers, func(int) error { return s.UseToken(context.Background(), tok) })
	oneWinner(t, errs, storage.ErrTokenUsed)
}

// concIssuanceToken: one token, many certificates: one certificate stored.
func concIssuanceToken(t *testing.T, s storage.Store) {
	tok := newToken(t, base.Add(time.Hour))
	certs := make([]storage.Certificate, workers)
	for i := range certs {
		certs[i] = newCert(t)
	}
	errs := race(workers, func(i int) error {
		return s.RecordIssuance(context.Background(), certs[i], &tok)
	})
	w := oneWinner(t, errs, storage.ErrTokenUsed)
	for i, c := range certs {
		if i == w {
			got, err := s.Certificate(context.Background(), c.Serial)
			wantErr(t, "Certificate(winner)", err, nil)
			checkCertificate(t, got, c)
			continue
		}
		wantNoCertificate(t, s, c.Serial)
	}
}

// concSameSerial: one serial, many tokens: one row, the losers' tokens free.
func concSameSerial(t *testing.T, s storage.Store) {
	serial := randomSerial(t)
	certs := make([]storage.Certificate, workers)
	toks := make([]storage.UsedToken, workers)
	for i := range certs {
		certs[i] = newCert(t)
		certs[i].Serial = serial
		toks[i] = newToken(t, base.Add(time.Hour))
	}
	errs := race(workers, func(i int) error {
		return s.RecordIssuance(context.Background(), certs[i], &toks[i])
	})
	w := oneWinner(t, errs, storage.ErrConflict)
	got, err := s.Certificate(context.Background(), serial)
	wantErr(t, "Certificate", err, nil)
	checkCertificate(t, got, certs[w])
	for i, tok := range toks {
		if i == w {
			wantTokenUsed(t, s, tok)
		} else {
			wantTokenFree(t, s, tok)
		}
	}
}

// concDistinct: every concurrent issuance is stored with its token.
func concDistinct(t *testing.T, s storage.Store) {
	const perWorker = 8
	certs := make([][]storage.Certificate, workers)
	toks := make([][]storage.UsedToken, workers)
	for i := range certs {
		for range perWorker {
			certs[i] = append(certs[i], newCert(t))
			toks[i] = append(toks[i], newToken(t, base.Add(time.Hour)))
		}
	}
	errs := race(workers, func(i int) error {
		for j := range perWorker {
			if err := s.RecordIssuance(context.Background(), certs[i][j], &toks[i][j]); err != nil {
				return err
			}
		}
		return nil
	})
	for i, err := range errs {
		wantErr(t, "RecordIssuance", err, nil)
		for j, c := range certs[i] {
			got, err := s.Certificate(context.Background(), c.Serial)
			wantErr(t, "Certificate", err, nil)
			checkCertificate(t, got, c)
			wantTokenUsed(t, s, toks[i][j])
		}
	}
}

// concMixed: callers that lose on a replayed token or a duplicate serial
// share transactions with callers that must still succeed.
func concMixed(t *testing.T, s storage.Store) {
	replayed := newToken(t, base.Add(time.Hour))
	wantErr(t, "UseToken", s.UseToken(context.Background(), replayed), nil)
	existing := newCert(t)
	mustRecord(t, s, existing, nil)

	certs := make([]storage.Certificate, workers)
	toks := make([]storage.UsedToken, workers)
	want := make([]error, workers)
	for i := range certs {
		certs[i], toks[i] = newCert(t), newToken(t, base.Add(time.Hour))
		switch i % 3 {
		case 1:
			toks[i], want[i] = replayed, storage.ErrTokenUsed
		case 2:
			certs[i].Serial, want[i] = existing.Serial, storage.ErrConflict
		}
	}
	errs := race(workers, func(i int) error {
		return s.RecordIssuance(context.Background(), certs[i], &toks[i])
	})
	for i, err := range errs {
		wantErr(t, "RecordIssuance", err, want[i])
		if want[i] == nil {
			got, err := s.Certificate(context.Background(), certs[i].Serial)
			wantErr(t, "Certificate", err, nil)
			checkCertificate(t, got, certs[i])
		} else if want[i] == storage.ErrTokenUsed {
			wantNoCertificate(t, s, certs[i].Serial)
		}
	}
}

// concRevoke: one serial, many revokers: one revocation, theirs, stored.
func concRevoke(t *testing.T, s storage.Store) {
	serial := randomSerial(t)
	revs := make([]storage.Revocation, workers)
	toks := make([]storage.UsedToken, workers)
	for i := range revs {
		toks[i] = newToken(t, base.Add(time.Hour))
		revs[i] = newRevocation(serial)
		revs[i].TokenID = toks[i].ID
	}
	errs := race(workers, func(i int) error {
		return s.Revoke(context.Background(), revs[i], &toks[i])
	})
	w := oneWinner(t, errs, storage.ErrAlreadyRevoked)
	got, err := s.Revocation(context.Background(), serial)
	wantErr(t, "Revocation", err, nil)
	checkRevocation(t, got, revs[w])
	for i, tok := range toks {
		if i == w {
			wantTokenUsed(t, s, tok)
		} else {
			wantTokenFree(t, s, tok)
		}
	}
}
