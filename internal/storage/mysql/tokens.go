package mysql

import (
	"context"
	"fmt"
	"time"

	"github.com/stride-pki/stride/internal/storage"
)

// UseToken implements storage.Tokens with one INSERT in autocommit: the
// statement is its own transaction, so consuming a token costs one round
// trip, and the duplicate-key error makes exactly one caller win.
func (s *Store) UseToken(ctx context.Context, tok storage.UsedToken) error {
	if err := checkToken(&tok); err != nil {
		return err
	}
	return retry(ctx, func(bool) error { return execToken(ctx, s.db, tok) })
}

// purgeChunk bounds one purge statement: a DELETE over a large backlog
// would hold row and gap locks on used_tokens (blocking token inserts) and
// build a large undo log for as long as it runs; chunks keep each short.
const purgeChunk = 5000

// PurgeTokens implements storage.Tokens: DELETEs of at most purgeChunk rows
// whose expires_at is before the cut-off, until one deletes fewer. A NULL
// expires_at never compares as before anything, so tokens without an
// expiry stay.
func (s *Store) PurgeTokens(ctx context.Context, before time.Time) (int, error) {
	total := 0
	for {
		var n int64
		err := retry(ctx, func(bool) error {
			res, err := s.db.ExecContext(ctx,
				"DELETE FROM used_tokens WHERE expires_at < ? ORDER BY expires_at LIMIT ?",
				before.UTC(), purgeChunk)
			if err != nil {
				return err
			}
			n, err = res.RowsAffected()
			return err
		})
		if err != nil {
			return total, fmt.Errorf("mysql: purge tokens: %w", err)
		}
		total += int(n)
		if n < purgeChunk {
			return total, nil
		}
	}
}
