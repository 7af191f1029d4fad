package mysql

import (
	"context"
	"database/sql"
	"time"

	"github.com/stride-pki/stride/internal/storage"
	"github.com/stride-pki/stride/internal/storage/acmejson"
)

const (
	sqlInsertACMEAuthz = `INSERT INTO acme_authzs (account_id, provisioner, identifier_type, identifier_value,
  wildcard, status, token, challenges, created_at, expires_at, validate_at, attempts, id, order_id, version)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`
	sqlSelectACMEAuthz = `SELECT id, account_id, provisioner, identifier_type, identifier_value, wildcard,
  status, token, challenges, created_at, expires_at, validate_at, attempts, version FROM acme_authzs`
	sqlUpdateACMEAuthz = `UPDATE acme_authzs SET account_id = ?, provisioner = ?, identifier_type = ?,
  identifier_value = ?, wildcard = ?, status = ?, token = ?, challenges = ?, created_at = ?, expires_at = ?,
  validate_at = ?, attempts = ?, version = version + 1 WHERE id = ? AND version = ?`
)

// authzColumns are the arguments for the columns before id, in the order
// the insert and the update name them. A zero ValidateAt is NULL: not in
// the queue.
func authzColumns(a *storage.ACMEAuthz) []any {
	return []any{a.AccountID, a.Provisioner, a.Identifier.Type, a.Identifier.Value, a.Wildcard, a.Status,
		a.Token, jsonArg(acmejson.EncodeChallenges(a.Challenges)), dbTime(a.CreatedAt), dbTime(a.ExpiresAt),
		dbTime(a.ValidateAt), a.Attempts}
}

// ACMEAuthz implements storage.ACME.
func (s *Store) ACMEAuthz(ctx context.Context, id string) (*storage.ACMEAuthz, error) {
	return readOne(ctx, s, "ACME authorization "+id, scanACMEAuthz, sqlSelectACMEAuthz+" WHERE id = ?", id)
}

// UpdateACMEAuthz implements storage.ACME; queueing a validation is an
// update that sets ValidateAt, so two replicas cannot both queue (or both
// take) one validation.
func (s *Store) UpdateACMEAuthz(ctx context.Context, authz *storage.ACMEAuthz) error {
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx, _ bool) error {
		return casUpdate(ctx, tx, "acme_authzs", authz.ID, sqlUpdateACMEAuthz,
			append(authzColumns(authz), authz.ID, authz.Version)...)
	})
	if err == nil {
		authz.Version++
	}
	return err
}

// DueACMEValidations implements storage.ACME as a range scan of the
// (validate_at, id) index; ties are broken by ID so the order is stable.
func (s *Store) DueACMEValidations(ctx context.Context, now time.Time, limit int) ([]storage.ACMEAuthz, error) {
	q := sqlSelectACMEAuthz + " WHERE validate_at IS NOT NULL AND validate_at <= ? ORDER BY validate_at, id"
	args := []any{now.UTC()}
	if limit > 0 {
		q, args = q+" LIMIT ?", append(args, limit)
	}
	return readAll(ctx, s, "read due ACME validations", scanACMEAuthz, q, args...)
}

func scanACMEAuthz(row scanner) (storage.ACMEAuthz, error) {
	var a storage.ACMEAuthz
	var challenges []byte
	var created, expires, validateAt sql.NullTime
	err := row.Scan(&a.ID, &a.AccountID, &a.Provisioner, &a.Identifier.Type, &a.Identifier.Value, &a.Wildcard,
		&a.Status, &a.Token, &challenges, &created, &expires, &validateAt, &a.Attempts, &a.Version)
	if err != nil {
		return a, err
	}
	a.CreatedAt, a.ExpiresAt, a.ValidateAt = goTime(created), goTime(expires), goTime(validateAt)
	a.Challenges, err = acmejson.DecodeChallenges(challenges)
	return a, err
}
