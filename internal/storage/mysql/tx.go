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
// running it again is safe. Racing inserts of one key are the usual cause:
// transactions that lost the duplicate check hold shared locks on the key,
// and when the holder rolls back they all ask to upgrade. The retry sees the
// committed winner and returns the sentinel. Attempts are bounded so an
// overloaded server still gets an answer; the backoff is jittered so the
// victims of one deadlock do not collide again in step.
const (
	maxAttempts  = 8
	retryBackoff = time.Millisecond
)

// retryable reports whether err means "the server undid the attempt; run it again".
func retryable(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && (me.Number == erLockDeadlock || me.Number == erLockWaitTimeout)
}

// retry runs attempt until it succeeds, fails with an error that is not
// retryable, or has run maxAttempts times. A ctx that is done before an
// attempt returns ctx.Err().
func retry(ctx context.Context, attempt func() error) error {
	var err error
	for n := 1; ; n++ {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		err = attempt()
		if err == nil || !retryable(err) {
			return contextFirst(ctx, err)
		}
		if n == maxAttempts {
			return fmt.Errorf("gave up after %d attempts: %w", n, err)
		}
		// Up to 1, 2, 4, … ms, at random within the window.
		window := retryBackoff << min(n-1, 6)
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

// txFunc does one use case's writes in tx. Any error rolls the transaction
// back: a storage sentinel (nothing written, by design) or a failure.
type txFunc func(ctx context.Context, tx *sql.Tx) error

// write runs fn in a transaction, retried as above, and commits it.
func (s *Store) write(ctx context.Context, fn txFunc) error {
	return retry(ctx, func() error { return s.writeOnce(ctx, fn) })
}

func (s *Store) writeOnce(ctx context.Context, fn txFunc) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(ctx, tx); err != nil {
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
