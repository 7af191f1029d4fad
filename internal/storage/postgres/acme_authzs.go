package postgres

import (
	"context"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/stride-pki/stride/internal/storage"
	"github.com/stride-pki/stride/internal/storage/acmejson"
)

const (
	sqlInsertACMEAuthz = `INSERT INTO acme_authzs (id, order_id, account_id, provisioner, identifier_type,
		identifier_value, wildcard, status, token, challenges, created_at, expires_at, validate_at,
		attempts, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 1)
		ON CONFLICT DO NOTHING`
	sqlSelectACMEAuthz = `SELECT id, account_id, provisioner, identifier_type, identifier_value, wildcard,
		status, token, challenges, created_at, expires_at, validate_at, attempts, version
		FROM acme_authzs`
	sqlUpdateACMEAuthz = `UPDATE acme_authzs SET account_id = $3, provisioner = $4, identifier_type = $5,
		identifier_value = $6, wildcard = $7, status = $8, token = $9, challenges = $10,
		created_at = $11, expires_at = $12, validate_at = $13, attempts = $14, version = version + 1
		WHERE id = $1 AND version = $2`
)

// authzColumns are the arguments for the columns after id (and order_id),
// in the order the insert and the update name them. A zero ValidateAt is
// NULL: the queue's partial index holds only queued authorizations.
func authzColumns(a *storage.ACMEAuthz) []any {
	return []any{a.AccountID, a.Provisioner, a.Identifier.Type, a.Identifier.Value, a.Wildcard, a.Status,
		a.Token, string(acmejson.EncodeChallenges(a.Challenges)), nullTime(a.CreatedAt),
		nullTime(a.ExpiresAt), nullTime(a.ValidateAt), a.Attempts}
}

// ACMEAuthz implements storage.ACME.
func (s *Store) ACMEAuthz(ctx context.Context, id string) (*storage.ACMEAuthz, error) {
	return readOne(ctx, s, "ACME authorization "+id, scanACMEAuthz, sqlSelectACMEAuthz+" WHERE id = $1", id)
}

// UpdateACMEAuthz implements storage.ACME; queueing a validation is an
// update that sets ValidateAt, so two replicas cannot both queue (or both
// take) one validation.
func (s *Store) UpdateACMEAuthz(ctx context.Context, authz *storage.ACMEAuthz) error {
	err := s.inTx(ctx, "update ACME authorization", func(tx pgx.Tx) error {
		return casUpdate(ctx, tx, "acme_authzs", authz.ID, sqlUpdateACMEAuthz,
			append([]any{authz.ID, authz.Version}, authzColumns(authz)...)...)
	})
	if err == nil {
		authz.Version++
	}
	return err
}

// DueACMEValidations implements storage.ACME from the partial index on
// validate_at; ties are broken by ID so the order is stable.
func (s *Store) DueACMEValidations(ctx context.Context, now time.Time, limit int) ([]storage.ACMEAuthz, error) {
	q := sqlSelectACMEAuthz + " WHERE validate_at IS NOT NULL AND validate_at <= $1 ORDER BY validate_at, id"
	if limit > 0 {
		q += " LIMIT " + strconv.Itoa(limit)
	}
	return readAll(ctx, s, "read due ACME validations", scanACMEAuthz, q, now)
}

func scanACMEAuthz(row scanner) (storage.ACMEAuthz, error) {
	var a storage.ACMEAuthz
	var challenges []byte
	var created, expires, validateAt *time.Time
	err := row.Scan(&a.ID, &a.AccountID, &a.Provisioner, &a.Identifier.Type, &a.Identifier.Value, &a.Wildcard,
		&a.Status, &a.Token, &challenges, &created, &expires, &validateAt, &a.Attempts, &a.Version)
	if err != nil {
		return a, err
	}
	a.CreatedAt, a.ExpiresAt, a.ValidateAt = utc(created), utc(expires), utc(validateAt)
	a.Challenges, err = acmejson.DecodeChallenges(challenges)
	return a, err
}
