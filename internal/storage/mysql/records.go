package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"github.com/stride-pki/stride/internal/storage"
)

// ListRevocations implements storage.Records: keyset paging on the
// primary key (serial is VARBINARY, so its order is byte order).
func (s *Store) ListRevocations(ctx context.Context, cursor string, limit int) ([]storage.Revocation, string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT serial, reason_code, reason, revoked_at, expires_at,
	  provisioner_id, token_id, mtls, acme FROM revocations WHERE serial > ? ORDER BY serial`+limitClause(limit), cursor)
	if err != nil {
		return nil, "", contextFirst(ctx, fmt.Errorf("mysql: list revocations: %w", err))
	}
	defer rows.Close()
	var out []storage.Revocation
	for rows.Next() {
		var r storage.Revocation
		var revokedAt, expiresAt sql.NullTime
		if err := rows.Scan(&r.Serial, &r.ReasonCode, &r.Reason, &revokedAt, &expiresAt,
			&r.ProvisionerID, &r.TokenID, &r.MTLS, &r.ACME); err != nil {
			return nil, "", fmt.Errorf("mysql: list revocations: %w", err)
		}
		r.RevokedAt, r.ExpiresAt = goTime(revokedAt), goTime(expiresAt)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, "", contextFirst(ctx, fmt.Errorf("mysql: list revocations: %w", err))
	}
	if limit > 0 && len(out) > limit {
		return out[:limit], out[limit-1].Serial, nil
	}
	return out, "", nil
}

// ListTokens implements storage.Records: keyset paging on the primary key,
// the hash of the ID, so the order is the hashes' (the contract leaves it
// to the backend) and the cursor is hashed to resume.
func (s *Store) ListTokens(ctx context.Context, cursor string, limit int) ([]storage.UsedToken, string, error) {
	q, args := "SELECT id, expires_at FROM used_tokens", []any{}
	if cursor != "" {
		q, args = q+" WHERE id_hash > ?", append(args, tokenKey(cursor))
	}
	rows, err := s.db.QueryContext(ctx, q+" ORDER BY id_hash"+limitClause(limit), args...)
	if err != nil {
		return nil, "", contextFirst(ctx, fmt.Errorf("mysql: list tokens: %w", err))
	}
	defer rows.Close()
	var out []storage.UsedToken
	for rows.Next() {
		var t storage.UsedToken
		var expiresAt sql.NullTime
		if err := rows.Scan(&t.ID, &expiresAt); err != nil {
			return nil, "", fmt.Errorf("mysql: list tokens: %w", err)
		}
		t.ExpiresAt = goTime(expiresAt)
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, "", contextFirst(ctx, fmt.Errorf("mysql: list tokens: %w", err))
	}
	if limit > 0 && len(out) > limit {
		return out[:limit], out[limit-1].ID, nil
	}
	return out, "", nil
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
// primary key (id is VARBINARY, so its order is byte order).
func (s *Store) ListACMEAccounts(ctx context.Context, cursor string, limit int) ([]storage.ACMEAccount, string, error) {
	rows, err := readAll(ctx, s, "list ACME accounts", scanACMEAccount,
		sqlSelectACMEAccount+" WHERE id > ? ORDER BY id"+limitClause(limit), cursor)
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
	rows, err := readAll(ctx, s, "list ACME orders", scanACMEOrder,
		sqlSelectACMEOrder+" WHERE id > ? ORDER BY id"+limitClause(limit), cursor)
	if err != nil {
		return nil, "", err
	}
	if limit > 0 && len(rows) > limit {
		return rows[:limit], rows[limit-1].ID, nil
	}
	return rows, "", nil
}
