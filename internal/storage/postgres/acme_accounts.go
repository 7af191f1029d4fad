package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/stride-pki/stride/internal/storage"
)

const (
	sqlInsertACMEAccount = `INSERT INTO acme_accounts (id, provisioner, key_id, jwk, contact, status,
		eab_key_id, created_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1)
		ON CONFLICT DO NOTHING`
	sqlSelectACMEAccount = `SELECT id, provisioner, key_id, jwk, contact, status, eab_key_id, created_at,
		version FROM acme_accounts`
	sqlUpdateACMEAccount = `UPDATE acme_accounts SET provisioner = $3, key_id = $4, jwk = $5, contact = $6,
		status = $7, eab_key_id = $8, created_at = $9, version = version + 1
		WHERE id = $1 AND version = $2`
	// The binding's WHERE clause is the whole decision: a key of another
	// provisioner or one already bound matches no row.
	sqlBindACMEEABKey = `UPDATE acme_eab_keys SET account_id = $1, bound_at = $2
		WHERE id = $3 AND provisioner = $4 AND account_id IS NULL`
	// A key bound to the very account being created (an import) is
	// fine as it is, so the second look reads the owner.
	sqlACMEEABKeyOwner = `SELECT account_id FROM acme_eab_keys WHERE id = $1 AND provisioner = $2`
)

// CreateACMEAccount implements storage.ACME: the account insert and, with
// an EAB key, its binding in one transaction. The account goes first, so
// two requests racing to create one account see ErrConflict (the loser can
// read the winner's account by key), not a bound key.
func (s *Store) CreateACMEAccount(ctx context.Context, acct *storage.ACMEAccount) error {
	if acct.ID == "" {
		return errEmptyID
	}
	err := s.inTx(ctx, "create ACME account", func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, sqlInsertACMEAccount, acct.ID, acct.Provisioner, acct.KeyID, nonNil(acct.Key),
			nonNilStrings(acct.Contact), acct.Status, acct.EABKeyID, nullTime(acct.CreatedAt))
		if err != nil {
			return err
		}
		if err := inserted("ACME account "+acct.ID, tag.RowsAffected()); err != nil {
			return err
		}
		if acct.EABKeyID == "" {
			return nil
		}
		return bindEABKey(ctx, tx, acct)
	})
	if err == nil {
		acct.Version = 1
	}
	return err
}

// bindEABKey binds acct's EAB key to it: one conditional UPDATE decides,
// and when it matched nothing a second look says why. The key is bound at
// the account's creation time, the moment the binding takes effect.
func bindEABKey(ctx context.Context, tx pgx.Tx, acct *storage.ACMEAccount) error {
	boundAt := acct.CreatedAt
	if boundAt.IsZero() {
		boundAt = time.Now()
	}
	tag, err := tx.Exec(ctx, sqlBindACMEEABKey, acct.ID, boundAt, acct.EABKeyID, acct.Provisioner)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 1 {
		return nil
	}
	var owner *string
	switch err := tx.QueryRow(ctx, sqlACMEEABKeyOwner, acct.EABKeyID, acct.Provisioner).Scan(&owner); {
	case errors.Is(err, pgx.ErrNoRows):
		return fmt.Errorf("EAB key %s of provisioner %q: %w", acct.EABKeyID, acct.Provisioner, storage.ErrNotFound)
	case err != nil:
		return err
	case owner != nil && *owner == acct.ID:
		return nil
	}
	return fmt.Errorf("EAB key %s: %w", acct.EABKeyID, storage.ErrEABKeyBound)
}

// ACMEAccount implements storage.ACME.
func (s *Store) ACMEAccount(ctx context.Context, id string) (*storage.ACMEAccount, error) {
	return readOne(ctx, s, "ACME account "+id, scanACMEAccount, sqlSelectACMEAccount+" WHERE id = $1", id)
}

// ACMEAccountByKey implements storage.ACME through the (provisioner,
// key_id) unique index.
func (s *Store) ACMEAccountByKey(ctx context.Context, provisioner, keyID string) (*storage.ACMEAccount, error) {
	return readOne(ctx, s, fmt.Sprintf("ACME account of key %s", keyID), scanACMEAccount,
		sqlSelectACMEAccount+" WHERE provisioner = $1 AND key_id = $2", provisioner, keyID)
}

// UpdateACMEAccount implements storage.ACME; a key rollover to a key
// another account holds hits the unique index (ErrConflict).
func (s *Store) UpdateACMEAccount(ctx context.Context, acct *storage.ACMEAccount) error {
	err := s.inTx(ctx, "update ACME account", func(tx pgx.Tx) error {
		return casUpdate(ctx, tx, "acme_accounts", acct.ID, sqlUpdateACMEAccount, acct.ID, acct.Version,
			acct.Provisioner, acct.KeyID, nonNil(acct.Key), nonNilStrings(acct.Contact), acct.Status,
			acct.EABKeyID, nullTime(acct.CreatedAt))
	})
	if err == nil {
		acct.Version++
	}
	return err
}

func scanACMEAccount(row scanner) (storage.ACMEAccount, error) {
	var a storage.ACMEAccount
	var created *time.Time
	err := row.Scan(&a.ID, &a.Provisioner, &a.KeyID, &a.Key, &a.Contact, &a.Status, &a.EABKeyID,
		&created, &a.Version)
	a.Contact, a.CreatedAt = noStrings(a.Contact), utc(created)
	return a, err
}
