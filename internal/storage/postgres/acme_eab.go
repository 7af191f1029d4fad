package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/stride-pki/stride/internal/storage"
)

const (
	sqlInsertACMEEABKey = `INSERT INTO acme_eab_keys (id, provisioner, reference, hmac_key, created_at,
		account_id, bound_at, policy) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT DO NOTHING`
	sqlSelectACMEEABKey = `SELECT id, provisioner, reference, hmac_key, created_at, account_id, bound_at,
		policy FROM acme_eab_keys`
	sqlDeleteACMEEABKey = `DELETE FROM acme_eab_keys WHERE id = $1`
)

// CreateACMEEABKey implements storage.ACME: an empty Reference is NULL, so
// only named keys meet the (provisioner, reference) unique constraint.
func (s *Store) CreateACMEEABKey(ctx context.Context, key *storage.ACMEEABKey) error {
	if key.ID == "" {
		return errEmptyID
	}
	if err := ctx.Err(); err != nil {
		return wrap(ctx, "create EAB key", err)
	}
	tag, err := s.pool.Exec(ctx, sqlInsertACMEEABKey, key.ID, key.Provisioner, nullText(key.Reference),
		nonNil(key.HMACKey), nullTime(key.CreatedAt), nullText(key.AccountID), nullTime(key.BoundAt), key.Policy)
	if err != nil {
		return wrap(ctx, "create EAB key", err)
	}
	return inserted("EAB key "+key.ID, tag.RowsAffected())
}

// ACMEEABKey implements storage.ACME.
func (s *Store) ACMEEABKey(ctx context.Context, id string) (*storage.ACMEEABKey, error) {
	return readOne(ctx, s, "EAB key "+id, scanACMEEABKey, sqlSelectACMEEABKey+" WHERE id = $1", id)
}

// ListACMEEABKeys implements storage.ACME, in byte order of ID (the "C"
// collation) as on every backend.
func (s *Store) ListACMEEABKeys(ctx context.Context, provisioner string) ([]storage.ACMEEABKey, error) {
	q, args := sqlSelectACMEEABKey, []any{}
	if provisioner != "" {
		q, args = q+" WHERE provisioner = $1", append(args, provisioner)
	}
	return readAll(ctx, s, "list EAB keys", scanACMEEABKey, q+` ORDER BY id COLLATE "C"`, args...)
}

// DeleteACMEEABKey implements storage.ACME. Accounts keep their
// eab_key_id: it records how they were created, not a live reference.
func (s *Store) DeleteACMEEABKey(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return wrap(ctx, "delete EAB key", err)
	}
	tag, err := s.pool.Exec(ctx, sqlDeleteACMEEABKey, id)
	if err != nil {
		return wrap(ctx, "delete EAB key", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("EAB key %s: %w", id, storage.ErrNotFound)
	}
	return nil
}

func scanACMEEABKey(row scanner) (storage.ACMEEABKey, error) {
	var k storage.ACMEEABKey
	var reference, account *string
	var created, bound *time.Time
	err := row.Scan(&k.ID, &k.Provisioner, &reference, &k.HMACKey, &created, &account, &bound, &k.Policy)
	k.Reference, k.AccountID = text(reference), text(account)
	k.CreatedAt, k.BoundAt = utc(created), utc(bound)
	return k, err
}
