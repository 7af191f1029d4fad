package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stride-pki/stride/internal/storage"
)

// TestReplicasShareSingleUse: two stores on one database, as two stride-ca
// replicas, race to consume one token (alone, with an issuance, with a
// revocation): exactly one caller wins and every other gets ErrTokenUsed,
// the error the API turns into a 401, never a server error.
func TestReplicasShareSingleUse(t *testing.T) {
	name := newDatabaseName(t)
	replicas := []*Store{mustOpen(t, name), mustOpen(t, name)}
	for _, s := range replicas {
		defer s.Close()
	}
	const callers = 64
	for round := range 20 {
		tok := storage.UsedToken{ID: fmt.Sprintf("race/%d/%d", round, time.Now().UnixNano()), ExpiresAt: time.Now().Add(time.Hour)}
		errs := make([]error, callers)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range callers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s := replicas[i%2]
				<-start
				errs[i] = consume(s, i, tok)
			}()
		}
		close(start)
		wg.Wait()
		winners := 0
		for i, err := range errs {
			switch {
			case err == nil:
				winners++
			case !errors.Is(err, storage.ErrTokenUsed):
				t.Fatalf("round %d caller %d: %v, want nil or ErrTokenUsed", round, i, err)
			}
		}
		if winners != 1 {
			t.Fatalf("round %d: %d winners, want exactly 1", round, winners)
		}
	}
}

// consume uses tok the way caller i's operation would.
func consume(s *Store, i int, tok storage.UsedToken) error {
	ctx := context.Background()
	serial := fmt.Sprintf("%d%d", time.Now().UnixNano(), i)
	switch i % 3 {
	case 0:
		return s.UseToken(ctx, tok)
	case 1:
		now := time.Now()
		return s.RecordIssuance(ctx, storage.Certificate{
			Serial: serial, DER: []byte{1}, NotBefore: now, NotAfter: now.Add(time.Hour), IssuedAt: now,
		}, &tok)
	default:
		return s.Revoke(ctx, storage.Revocation{Serial: serial, RevokedAt: time.Now()}, &tok)
	}
}
