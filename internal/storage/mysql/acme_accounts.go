package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/stride-pki/stride/internal/storage"
	"github.com/stride-pki/stride/internal/storage/acmejson"
)

const (
	sqlInsertACMEAccount = `INSERT INTO acme_accounts (id, provisioner, key_id, jwk, contact, status,
  eab_key_id, created_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)`
	sqlSelectACMEAccount = `SELECT id, provisioner, key_id, jwk, contact, status, eab_key_id, created_at,
  version FROM acme_accounts`
	sqlUpdateACMEAccount = `UPDATE acme_accounts SET provisioner = ?, key_id = ?, jwk = ?, contact = ?,
  status = ?, eab_key_id = ?, created_at = ?, version = version + 1 WHERE id = ? AND version = ?`
	// The binding's WHERE clause is the whole decision: a key of another
	// provisioner or one already bound matches no row.
	sqlBindACMEEABKey = `UPDATE acme_eab_keys SET account_id = ?, bound_at = ?
  WHERE id = ? AND provisioner = ? AND account_id IS NULL`
	// A key bound to the very account being created (an import) is
	// fine as it is, so the second look reads the owner.
	sqlACMEEABKeyOwner = `SELECT account_id FROM acme_eab_keys WHERE id = ? AND provisioner = ?`
)

// CreateACMEAccount implements storage.ACME: the account insert and, with
// an EAB key, its binding in one transaction. The account goes first, so
// two requests racing to create one account see ErrConflict (the loser can
// read the winner's account by key), not a bound key.
func (s *Store) CreateACMEAccount(ctx context.Context, acct *storage.ACMEAccount) error {
	if acct.ID == "" {
		return errEmptyID
	}
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx, _ bool) error {
		err := insertRow(ctx, tx, "ACME account "+acct.ID, sqlInsertACMEAccount, acct.ID, acct.Provisioner,
			acct.KeyID, nonNilBytes(acct.Key), jsonArg(acmejson.EncodeStrings(acct.Contact)), acct.Status, acct.EABKeyID,
			dbTime(acct.CreatedAt))
		if err != nil || acct.EABKeyID == "" {
			return err
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
func bindEABKey(ctx context.Context, tx *sql.Tx, acct *storage.ACMEAccount) error {
	boundAt := acct.CreatedAt
	if boundAt.IsZero() {
		boundAt = time.Now()
	}
	res, err := tx.ExecContext(ctx, sqlBindACMEEABKey, acct.ID, dbTime(boundAt), acct.EABKeyID, acct.Provisioner)
	if err != nil {
		return fmt.Errorf("mysql: bind EAB key %s: %w", acct.EABKeyID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return err
	}
	var owner *string
	switch err := tx.QueryRowContext(ctx, sqlACMEEABKeyOwner, acct.EABKeyID, acct.Provisioner).Scan(&owner); {
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("EAB key %s of provisioner %q: %w", acct.EABKeyID, acct.Provisioner, storage.ErrNotFound)
	case err != nil:
		return fmt.Errorf("mysql: look up EAB key %s: %w", acct.EABKeyID, err)
	case owner != nil && *owner == acct.ID:
		return nil
	}
	return fmt.Errorf("EAB key %s: %w", acct.EABKeyID, storage.ErrEABKeyBound)
}

// ACMEAccount implements storage.ACME.
func (s *Store) ACMEAccount(ctx context.Context, id string) (*storage.ACMEAccount, error) {
	return readOne(ctx, s, "ACME account "+id, scanACMEAccount, sqlSelectACMEAccount+" WHERE id = ?", id)
}

// ACMEAccountByKey implements storage.ACME through the (provisioner,
// key_id) unique key.
func (s *Store) ACMEAccountByKey(ctx context.Context, provisioner, keyID string) (*storage.ACMEAccount, error) {
	return readOne(ctx, s, "ACME account of key "+keyID, scanACMEAccount,
		sqlSelectACMEAccount+" WHERE provisioner = ? AND key_id = ?", provisioner, keyID)
}

// UpdateACMEAccount implements storage.ACME; a key rollover to a key
// another account holds hits the unique key (ErrConflict).
func (s *Store) UpdateACMEAccount(ctx context.Context, acct *storage.ACMEAccount) error {
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx, _ bool) error {
		return casUpdate(ctx, tx, "acme_accounts", acct.ID, sqlUpdateACMEAccount, acct.Provisioner, acct.KeyID,
			nonNilBytes(acct.Key), jsonArg(acmejson.EncodeStrings(acct.Contact)), acct.Status, acct.EABKeyID,
			dbTime(acct.CreatedAt), acct.ID, acct.Version)
	})
	if err == nil {
		acct.Version++
	}
	return err
}

func scanACMEAccount(row scanner) (storage.ACMEAccount, error) {
	var a storage.ACMEAccount
	var contact []byte
	var created sql.NullTime
	err := row.Scan(&a.ID, &a.Provisioner, &a.KeyID, &a.Key, &contact, &a.Status, &a.EABKeyID, &created, &a.Version)
	if err != nil {
		return a, err
	}
	a.CreatedAt = goTime(created)
	a.Contact, err = acmejson.DecodeStrings(contact)
	return a, err
}
