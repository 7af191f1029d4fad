package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/stride-pki/stride/internal/storage"
)

const insertRevocation = `INSERT INTO revocations (serial, reason_code, reason, revoked_at, expires_at,
  provisioner_id, token_id, mtls, acme) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`

// Revoke implements storage.Revocations: the revocation and the token in one
// transaction; the primary key on serial makes the first revoker win.
func (s *Store) Revoke(ctx context.Context, rev storage.Revocation, tok *storage.UsedToken) error {
	if err := checkSerial(rev.Serial); err != nil {
		return err
	}
	if err := checkToken(tok); err != nil {
		return err
	}
	exists := fmt.Errorf("serial %s: %w", rev.Serial, storage.ErrAlreadyRevoked)
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx, retrying bool) error {
		return insertOnce(ctx, tx, retrying, tok, func() error {
			_, err := tx.ExecContext(ctx, insertRevocation, rev.Serial, rev.ReasonCode, rev.Reason,
				dbTime(rev.RevokedAt), dbTime(rev.ExpiresAt), rev.ProvisionerID, rev.TokenID, rev.MTLS, rev.ACME)
			if err != nil {
				return fmt.Errorf("mysql: insert revocation of %s: %w", rev.Serial, err)
			}
			return nil
		}, exists)
	})
}

// Revocation implements storage.Revocations.
func (s *Store) Revocation(ctx context.Context, serial string) (*storage.Revocation, error) {
	r := storage.Revocation{Serial: serial}
	var revokedAt, expiresAt sql.NullTime
	err := s.db.QueryRowContext(ctx, `SELECT reason_code, reason, revoked_at, expires_at,
	  provisioner_id, token_id, mtls, acme FROM revocations WHERE serial = ?`, serial).Scan(
		&r.ReasonCode, &r.Reason, &revokedAt, &expiresAt, &r.ProvisionerID, &r.TokenID, &r.MTLS, &r.ACME)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, fmt.Errorf("revocation of %s: %w", serial, storage.ErrNotFound)
	case err != nil:
		return nil, contextFirst(ctx, fmt.Errorf("mysql: read revocation of %s: %w", serial, err))
	}
	r.RevokedAt, r.ExpiresAt = goTime(revokedAt), goTime(expiresAt)
	return &r, nil
}
