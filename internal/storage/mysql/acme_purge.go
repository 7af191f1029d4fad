package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// acmePurgeChunk bounds the orders one purge transaction deletes, for the
// reason purgeChunk does: short transactions with few locks. A variable so
// a test can make several chunks of a few orders.
var acmePurgeChunk = 500

// PurgeACME implements storage.ACME in chunks, each one transaction that
// deletes some expired orders together with their authorizations (so no
// order ever loses its authorizations without going itself). A chunk's
// candidates come from a plain read of the expires_at index; the
// transaction then locks those rows by primary key, re-checking the
// condition, so an order another replica turned valid meanwhile stays. No
// range is locked, so creating orders is never held up.
func (s *Store) PurgeACME(ctx context.Context, before time.Time) (int, error) {
	total := 0
	for {
		ids, err := s.purgeCandidates(ctx, before)
		if err != nil {
			return total, err
		}
		if len(ids) == 0 {
			return total, nil
		}
		var n int
		err = s.write(ctx, func(ctx context.Context, tx *sql.Tx, _ bool) error {
			var err error
			n, err = purgeOrders(ctx, tx, ids, before)
			return err
		})
		if err != nil {
			return total, fmt.Errorf("mysql: purge ACME: %w", err)
		}
		total += n
		if len(ids) < acmePurgeChunk {
			return total, nil
		}
	}
}

// purgeCandidates reads up to a chunk of IDs of orders to purge.
func (s *Store) purgeCandidates(ctx context.Context, before time.Time) ([]any, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id FROM acme_orders
  WHERE expires_at < ? AND status <> 'valid' ORDER BY expires_at LIMIT ?`, before.UTC(), acmePurgeChunk)
	if err != nil {
		return nil, contextFirst(ctx, fmt.Errorf("mysql: purge ACME: %w", err))
	}
	defer rows.Close()
	var ids []any
	for rows.Next() {
		var id []byte
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("mysql: purge ACME: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, contextFirst(ctx, rows.Err())
}

// purgeOrders deletes, in tx, those of the orders ids that still match
// and their authorizations; it returns how many rows it deleted.
func purgeOrders(ctx context.Context, tx *sql.Tx, ids []any, before time.Time) (int, error) {
	in := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ") + ")"
	args := append(append(make([]any, 0, len(ids)+1), ids...), before.UTC())
	rows, err := tx.QueryContext(ctx, "SELECT id FROM acme_orders WHERE id IN "+in+
		" AND expires_at < ? AND status <> 'valid' FOR UPDATE", args...)
	if err != nil {
		return 0, err
	}
	var locked []any
	for rows.Next() {
		var id []byte
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		locked = append(locked, id)
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return 0, err
	}
	if err := rows.Close(); err != nil {
		return 0, err
	}
	if len(locked) == 0 {
		return 0, nil
	}
	in = "(" + strings.TrimSuffix(strings.Repeat("?, ", len(locked)), ", ") + ")"
	total := 0
	for _, q := range []string{"DELETE FROM acme_authzs WHERE order_id IN " + in, "DELETE FROM acme_orders WHERE id IN " + in} {
		res, err := tx.ExecContext(ctx, q, locked...)
		if err != nil {
			return 0, err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return 0, err
		}
		total += int(n)
	}
	return total, nil
}
