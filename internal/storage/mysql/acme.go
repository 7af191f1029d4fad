package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/stride-pki/stride/internal/storage"
)

// The ACME tables are in migrations/0002_acme.sql. Creates are plain
// INSERTs whose duplicate-key error (1062) is storage.ErrConflict, as for
// certificates. Updates are compare-and-set on the version column (see
// casUpdate): an UPDATE reads the latest committed row under its lock
// whatever the transaction's snapshot, so of two replicas updating one
// record exactly one matches. Every write runs in s.write, which retries a
// transaction InnoDB undid for a deadlock.

var _ storage.ACME = (*Store)(nil)

// errEmptyID is a caller bug: IDs are keys, and "" is never one.
var errEmptyID = errors.New("mysql: empty ACME ID")

// scanner is a row being read: *sql.Row and *sql.Rows.
type scanner interface {
	Scan(dest ...any) error
}

// casUpdate runs an optimistic UPDATE of the row id in table (query's WHERE
// clause names the version read) and decides by its affected-row count:
// 1 is success; 0 means the row changed since it was read (ErrStale) or is
// gone (ErrNotFound), which a second look in the same transaction tells
// apart. A duplicate key (a key another row holds) is ErrConflict.
func casUpdate(ctx context.Context, tx *sql.Tx, table, id, query string, args ...any) error {
	res, err := tx.ExecContext(ctx, query, args...)
	if isServerError(err, erDupEntry) {
		return fmt.Errorf("%s %s: %w", table, id, storage.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("mysql: update %s %s: %w", table, id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return err
	}
	var exists bool
	// table is one of our constants, never input.
	err = tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM "+table+" WHERE id = ?)", id).Scan(&exists)
	switch {
	case err != nil:
		return fmt.Errorf("mysql: look up %s %s: %w", table, id, err)
	case exists:
		return fmt.Errorf("%s %s: %w", table, id, storage.ErrStale)
	default:
		return fmt.Errorf("%s %s: %w", table, id, storage.ErrNotFound)
	}
}

// insertRow runs an INSERT in tx; a duplicate key is ErrConflict for the
// record what.
func insertRow(ctx context.Context, tx *sql.Tx, what, query string, args ...any) error {
	_, err := tx.ExecContext(ctx, query, args...)
	switch {
	case isServerError(err, erDupEntry):
		return fmt.Errorf("%s: %w", what, storage.ErrConflict)
	case err != nil:
		return fmt.Errorf("mysql: insert %s: %w", what, err)
	}
	return nil
}

// readOne runs a single-row query and scans it with scan; no row is
// ErrNotFound for the record what.
func readOne[T any](ctx context.Context, s *Store, what string, scan func(scanner) (T, error), query string, args ...any) (*T, error) {
	v, err := scan(s.db.QueryRowContext(ctx, query, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%s: %w", what, storage.ErrNotFound)
	}
	if err != nil {
		return nil, contextFirst(ctx, fmt.Errorf("mysql: read %s: %w", what, err))
	}
	return &v, nil
}

// readAll runs a query and scans every row with scan.
func readAll[T any](ctx context.Context, s *Store, op string, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, contextFirst(ctx, fmt.Errorf("mysql: %s: %w", op, err))
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("mysql: %s: %w", op, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, contextFirst(ctx, fmt.Errorf("mysql: %s: %w", op, err))
	}
	return out, nil
}

// nullString stores "" as NULL, for optional keys under a unique key (a
// certificate serial, an EAB reference) and unbound foreign IDs.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// nonNilBytes keeps a nil slice from becoming NULL in a NOT NULL column.
func nonNilBytes(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// jsonArg is a JSON document as a statement argument: a string, because
// MySQL 8 refuses to make a JSON value from a binary string, which is what
// the driver sends a []byte as.
func jsonArg(doc []byte) string { return string(doc) }
