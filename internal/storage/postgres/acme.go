package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/stride-pki/stride/internal/storage"
)

// The ACME tables are in migrations/0003_acme.sql. Creates are INSERT … ON
// CONFLICT DO NOTHING, so a duplicate ID or key is an affected-row count of
// 0 (storage.ErrConflict) rather than an error that aborts the transaction
// and lands in the server's log. Updates are compare-and-set on the
// version column (see casUpdate); under READ COMMITTED an UPDATE that
// waited for a concurrent writer re-checks its WHERE clause against the
// committed row, so of two replicas updating one record exactly one wins.

var _ storage.ACME = (*Store)(nil)

// errEmptyID is a caller bug: IDs are keys, and "" is never one.
var errEmptyID = errors.New("postgres: empty ACME ID")

// scanner is a row being read: pgx.Row and pgx.CollectableRow.
type scanner interface {
	Scan(dest ...any) error
}

// casUpdate runs an optimistic UPDATE of the row id in table (query's WHERE
// clause names the version read) and decides by its affected-row count:
// 1 is success; 0 means the row changed since it was read (ErrStale) or is
// gone (ErrNotFound), which a second look in the same transaction tells
// apart. A unique violation (a key another row holds) is ErrConflict.
func casUpdate(ctx context.Context, tx pgx.Tx, table, id, query string, args ...any) error {
	tag, err := tx.Exec(ctx, query, args...)
	if isCode(err, codeUniqueViolation) {
		return fmt.Errorf("%s %s: %w", table, id, storage.ErrConflict)
	}
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 1 {
		return nil
	}
	var exists bool
	// table is one of our constants, never input.
	err = tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM "+table+" WHERE id = $1)", id).Scan(&exists)
	switch {
	case err != nil:
		return err
	case exists:
		return fmt.Errorf("%s %s: %w", table, id, storage.ErrStale)
	default:
		return fmt.Errorf("%s %s: %w", table, id, storage.ErrNotFound)
	}
}

// readOne runs a single-row query and scans it with scan; no row is
// ErrNotFound for the record what.
func readOne[T any](ctx context.Context, s *Store, what string, scan func(scanner) (T, error), query string, args ...any) (*T, error) {
	v, err := scan(s.pool.QueryRow(ctx, query, args...))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("%s: %w", what, storage.ErrNotFound)
	}
	if err != nil {
		return nil, wrap(ctx, "read "+what, err)
	}
	return &v, nil
}

// readAll runs a query and scans every row with scan.
func readAll[T any](ctx context.Context, s *Store, op string, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, wrap(ctx, op, err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (T, error) { return scan(row) })
	if err != nil {
		return nil, wrap(ctx, op, err)
	}
	return out, nil
}

// inserted turns an INSERT … ON CONFLICT DO NOTHING result into
// ErrConflict when it inserted nothing.
func inserted(what string, n int64) error {
	if n == 0 {
		return fmt.Errorf("%s: %w", what, storage.ErrConflict)
	}
	return nil
}

// utc reads a nullable time column: NULL is the zero time.
func utc(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// nullText stores "" as NULL, for optional keys under a unique constraint
// (a certificate serial, an EAB reference) and unbound foreign IDs.
func nullText(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// text reads a nullText column.
func text(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// noStrings reads a text[] column: an empty array is a nil slice, as
// absent lists come back everywhere in the store.
func noStrings(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}
