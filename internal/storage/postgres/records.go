package postgres

import (
	"context"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/stride-pki/stride/internal/storage"
)

// ListRevocations implements storage.Records: keyset paging on the primary
// key, in the "C" collation so the order is byte order as on every backend.
func (s *Store) ListRevocations(ctx context.Context, cursor string, limit int) ([]storage.Revocation, string, error) {
	q := `SELECT serial, reason_code, reason, revoked_at, expires_at, provisioner_id, token_id, mtls, acme
		FROM revocations WHERE serial COLLATE "C" > $1 ORDER BY serial COLLATE "C"` + limitClause(limit)
	dbRows, err := s.pool.Query(ctx, q, cursor)
	if err != nil {
		return nil, "", wrap(ctx, "list revocations", err)
	}
	rows, err := pgx.CollectRows(dbRows, func(row pgx.CollectableRow) (storage.Revocation, error) {
		var r storage.Revocation
		var expires *time.Time
		err := row.Scan(&r.Serial, &r.ReasonCode, &r.Reason, &r.RevokedAt, &expires,
			&r.ProvisionerID, &r.TokenID, &r.MTLS, &r.ACME)
		r.RevokedAt = r.RevokedAt.UTC()
		if expires != nil {
			r.ExpiresAt = expires.UTC()
		}
		return r, err
	})
	if err != nil {
		return nil, "", wrap(ctx, "list revocations", err)
	}
	if limit > 0 && len(rows) > limit {
		return rows[:limit], rows[limit-1].Serial, nil
	}
	return rows, "", nil
}

// ListTokens implements storage.Records, paging as ListRevocations.
func (s *Store) ListTokens(ctx context.Context, cursor string, limit int) ([]storage.UsedToken, string, error) {
	q := `SELECT id, expires_at FROM used_tokens WHERE id COLLATE "C" > $1 ORDER BY id COLLATE "C"` + limitClause(limit)
	dbRows, err := s.pool.Query(ctx, q, cursor)
	if err != nil {
		return nil, "", wrap(ctx, "list tokens", err)
	}
	rows, err := pgx.CollectRows(dbRows, func(row pgx.CollectableRow) (storage.UsedToken, error) {
		var t storage.UsedToken
		var expires *time.Time
		err := row.Scan(&t.ID, &expires)
		if expires != nil {
			t.ExpiresAt = expires.UTC()
		}
		return t, err
	})
	if err != nil {
		return nil, "", wrap(ctx, "list tokens", err)
	}
	if limit > 0 && len(rows) > limit {
		return rows[:limit], rows[limit-1].ID, nil
	}
	return rows, "", nil
}

// limitClause asks for one row more than the page, to know whether
// another page follows.
func limitClause(limit int) string {
	if limit <= 0 {
		return ""
	}
	return " LIMIT " + strconv.Itoa(limit+1)
}

// ListACMEAccounts implements storage.Records: keyset paging on the
// primary key in the "C" collation (byte order), as ListRevocations.
func (s *Store) ListACMEAccounts(ctx context.Context, cursor string, limit int) ([]storage.ACMEAccount, string, error) {
	q := sqlSelectACMEAccount + ` WHERE id COLLATE "C" > $1 ORDER BY id COLLATE "C"` + limitClause(limit)
	rows, err := readAll(ctx, s, "list ACME accounts", scanACMEAccount, q, cursor)
	if err != nil {
		return nil, "", err
	}
	if limit > 0 && len(rows) > limit {
		return rows[:limit], rows[limit-1].ID, nil
	}
	return rows, "", nil
}

// ListAllACMEOrders implements storage.Records, paging as ListACMEAccounts.
func (s *Store) ListAllACMEOrders(ctx context.Context, cursor string, limit int) ([]storage.ACMEOrder, string, error) {
	q := sqlSelectACMEOrder + ` WHERE id COLLATE "C" > $1 ORDER BY id COLLATE "C"` + limitClause(limit)
	rows, err := readAll(ctx, s, "list ACME orders", scanACMEOrder, q, cursor)
	if err != nil {
		return nil, "", err
	}
	if limit > 0 && len(rows) > limit {
		return rows[:limit], rows[limit-1].ID, nil
	}
	return rows, "", nil
}
