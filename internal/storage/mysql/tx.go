package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/go-sql-driver/mysql"
)

// Retries. InnoDB resolves a deadlock by rolling back one transaction
// (1213), and a lock wait timeout (1205) fails a statement that waited too
// long; in both cases nothing of the attempt is kept once we roll back, so
// running it again is safe. Attempts are bounded so an overloaded server
// still gets an answer; the backoff is jittered so the victims of one
// deadlock do not collide again in step.
//
// Statement order. A failed INSERT of a key that another transaction holds
// uncommitted waits, then keeps a shared lock on the key (and the gap
// before it). If the holder commits, every waiter gets its duplicate-key
// error at once: the normal replay race, no deadlock. If the holder rolls
// back, the waiters hold shared gap locks together and each wants to
// insert into the gap: InnoDB kills all but one, and again for each
// survivor that rolls back. The holder of a contended key must therefore
// rarely roll back after inserting it. So each use case inserts its row
// (certificate or revocation) first and the token last: a token's holder
// has nothing left to fail on. A row's holder rolls back only when its token
// turns out used, which needs the same serial written concurrently (serials
// are unique per issuance; a revocation retried by its client finds the
// committed row at once). For that remaining case a retry first reads
// whether its token was used meanwhile and then answers without taking any
// lock, which ends the cascade instead of feeding it.
const (
	maxAttempts     = 10
	retryBackoff    = time.Millisecond
	maxRetryBackoff = 64 * time.Millisecond
)

// retryable reports whether err means "the server undid the attempt; run it again".
func retryable(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && (me.Number == erLockDeadlock || me.Number == erLockWaitTimeout)
}

// retry runs attempt until it succeeds, fails with an error that is not
// retryable, or has run maxAttempts times; attempt learns whether it is a
// retry. A ctx that is done before an attempt returns ctx.Err().
func retry(ctx context.Context, attempt func(retrying bool) error) error {
	var err error
	for n := 1; ; n++ {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		err = attempt(n > 1)
		if err == nil || !retryable(err) {
			return contextFirst(ctx, err)
		}
		if n == maxAttempts {
			return fmt.Errorf("gave up after %d attempts: %w", n, err)
		}
		// At random within 1, 2, 4, … ms, up to maxRetryBackoff.
		window := min(retryBackoff<<(n-1), maxRetryBackoff)
		t := time.NewTimer(rand.N(window) + time.Microsecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// contextFirst reports ctx.Err() in place of a failure that ctx caused: the
// driver answers a cancelled statement with its own errors (a closed
// connection, sql.ErrTxDone), and callers test for context.Canceled.
// Sentinels and successes pass unchanged.
func contextFirst(ctx context.Context, err error) error {
	if err == nil || ctx.Err() == nil || isOutcome(err) {
		return err
	}
	return ctx.Err()
}

// txFunc does one use case's writes in tx; retrying is true after a
// deadlock undid an earlier attempt. Any error rolls the transaction back:
// a storage sentinel (nothing written, by design) or a failure.
type txFunc func(ctx context.Context, tx *sql.Tx, retrying bool) error

// write runs fn in a transaction, retried as above, and commits it.
func (s *Store) write(ctx context.Context, fn txFunc) error {
	return retry(ctx, func(retrying bool) error { return s.writeOnce(ctx, fn, retrying) })
}

func (s *Store) writeOnce(ctx context.Context, fn txFunc, retrying bool) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(ctx, tx, retrying); err != nil {
		// A failed rollback needs no report: the server rolls back a
		// transaction whose connection is gone.
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
