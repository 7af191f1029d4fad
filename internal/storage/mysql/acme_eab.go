package mysql

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/stride-pki/stride/internal/storage"
)

const (
	sqlInsertACMEEABKey = `INSERT INTO acme_eab_keys (id, provisioner, reference, hmac_key, created_at,
  account_id, bound_at, policy) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	sqlSelectACMEEABKey = `SELECT id, provisioner, reference, hmac_key, created_at, account_id, bound_at,
  policy FROM acme_eab_keys`
)

// CreateACMEEABKey implements storage.ACME with one INSERT in autocommit:
// an empty Reference is NULL, so only named keys meet the (provisioner,
// reference) unique key.
func (s *Store) CreateACMEEABKey(ctx context.Context, key *storage.ACMEEABKey) error {
	if key.ID == "" {
		return errEmptyID
	}
	return retry(ctx, func(bool) error {
		_, err := s.db.ExecContext(ctx, sqlInsertACMEEABKey, key.ID, key.Provisioner, nullString(key.Reference),
			nonNilBytes(key.HMACKey), dbTime(key.CreatedAt), nullString(key.AccountID), dbTime(key.BoundAt), key.Policy)
		switch {
		case isServerError(err, erDupEntry):
			return fmt.Errorf("EAB key %s: %w", key.ID, storage.ErrConflict)
		case err != nil:
			return fmt.Errorf("mysql: create EAB key %s: %w", key.ID, err)
		}
		return nil
	})
}

// ACMEEABKey implements storage.ACME.
func (s *Store) ACMEEABKey(ctx context.Context, id string) (*storage.ACMEEABKey, error) {
	return readOne(ctx, s, "EAB key "+id, scanACMEEABKey, sqlSelectACMEEABKey+" WHERE id = ?", id)
}

// ListACMEEABKeys implements storage.ACME; id is VARBINARY, so ORDER BY id
// is byte order as on every backend.
func (s *Store) ListACMEEABKeys(ctx context.Context, provisioner string) ([]storage.ACMEEABKey, error) {
	q, args := sqlSelectACMEEABKey, []any{}
	if provisioner != "" {
		q, args = q+" WHERE provisioner = ?", append(args, provisioner)
	}
	return readAll(ctx, s, "list EAB keys", scanACMEEABKey, q+" ORDER BY id", args...)
}

// DeleteACMEEABKey implements storage.ACME. Accounts keep their
// eab_key_id: it records how they were created, not a live reference.
func (s *Store) DeleteACMEEABKey(ctx context.Context, id string) error {
	return retry(ctx, func(bool) error {
		res, err := s.db.ExecContext(ctx, "DELETE FROM acme_eab_keys WHERE id = ?", id)
		if err != nil {
			return fmt.Errorf("mysql: delete EAB key %s: %w", id, err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			return err
		}
		return fmt.Errorf("EAB key %s: %w", id, storage.ErrNotFound)
	})
}

func scanACMEEABKey(row scanner) (storage.ACMEEABKey, error) {
	var k storage.ACMEEABKey
	var reference, account sql.NullString
	var created, bound sql.NullTime
	err := row.Scan(&k.ID, &k.Provisioner, &reference, &k.HMACKey, &created, &account, &bound, &k.Policy)
	k.Reference, k.AccountID = reference.String, account.String
	k.CreatedAt, k.BoundAt = goTime(created), goTime(bound)
	return k, err
}
