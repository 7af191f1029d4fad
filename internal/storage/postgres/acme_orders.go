package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/stride-pki/stride/internal/storage"
	"github.com/stride-pki/stride/internal/storage/acmejson"
)

const (
	sqlInsertACMEOrder = `INSERT INTO acme_orders (id, account_id, provisioner, identifiers, authz_ids,
		status, profile, replaces, not_before, not_after, created_at, expires_at, certificate_serial,
		error, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 1)
		ON CONFLICT DO NOTHING`
	sqlSelectACMEOrder = `SELECT id, account_id, provisioner, identifiers, authz_ids, status, profile,
		replaces, not_before, not_after, created_at, expires_at, certificate_serial, error, version
		FROM acme_orders`
	sqlUpdateACMEOrder = `UPDATE acme_orders SET account_id = $3, provisioner = $4, identifiers = $5,
		authz_ids = $6, status = $7, profile = $8, replaces = $9, not_before = $10, not_after = $11,
		created_at = $12, expires_at = $13, certificate_serial = $14, error = $15, version = version + 1
		WHERE id = $1 AND version = $2`
	sqlACMEOrderSeq = `SELECT seq FROM acme_orders WHERE id = $1 AND account_id = $2`
	// One statement deletes the orders and then their authorizations: the
	// second CTE reads the first's RETURNING, so an order another
	// transaction turned valid meanwhile (re-checked after its lock) keeps
	// its authorizations too.
	sqlPurgeACME = `WITH o AS (
			DELETE FROM acme_orders WHERE status <> 'valid' AND expires_at < $1 RETURNING id
		), a AS (
			DELETE FROM acme_authzs WHERE order_id IN (SELECT id FROM o) RETURNING id
		)
		SELECT (SELECT count(*) FROM o) + (SELECT count(*) FROM a)`
)

// errFinalizeSerial is a caller bug: the finalized order must name the
// certificate stored with it.
var errFinalizeSerial = errors.New("postgres: finalize: the order's CertificateSerial is not the certificate's serial")

// orderColumns are the arguments for the columns after id, in the order
// the insert and the update name them.
func orderColumns(o *storage.ACMEOrder) []any {
	return []any{o.AccountID, o.Provisioner, string(acmejson.EncodeIdentifiers(o.Identifiers)),
		nonNilStrings(o.AuthzIDs), o.Status, o.Profile, o.Replaces, nullTime(o.NotBefore),
		nullTime(o.NotAfter), nullTime(o.CreatedAt), nullTime(o.ExpiresAt), nullText(o.CertificateSerial),
		o.Error}
}

// CreateACMEOrder implements storage.ACME: the order and its
// authorizations go to the server as one batch in one transaction, and any
// insert that finds its ID taken rolls back all of them.
func (s *Store) CreateACMEOrder(ctx context.Context, order *storage.ACMEOrder, authzs []*storage.ACMEAuthz) error {
	if order.ID == "" {
		return errEmptyID
	}
	b := &pgx.Batch{}
	b.Queue(sqlInsertACMEOrder, append([]any{order.ID}, orderColumns(order)...)...)
	for _, az := range authzs {
		if az.ID == "" {
			return errEmptyID
		}
		b.Queue(sqlInsertACMEAuthz, append([]any{az.ID, order.ID}, authzColumns(az)...)...)
	}
	err := s.inTx(ctx, "create ACME order", func(tx pgx.Tx) error {
		br := tx.SendBatch(ctx, b)
		for i := range b.Len() {
			tag, err := br.Exec()
			if err == nil {
				err = inserted(fmt.Sprintf("ACME order %s (statement %d)", order.ID, i+1), tag.RowsAffected())
			}
			if err != nil {
				br.Close()
				return err
			}
		}
		return br.Close()
	})
	if err == nil {
		order.Version = 1
		for _, az := range authzs {
			az.Version = 1
		}
	}
	return err
}

// ACMEOrder implements storage.ACME.
func (s *Store) ACMEOrder(ctx context.Context, id string) (*storage.ACMEOrder, error) {
	return readOne(ctx, s, "ACME order "+id, scanACMEOrder, sqlSelectACMEOrder+" WHERE id = $1", id)
}

// UpdateACMEOrder implements storage.ACME.
func (s *Store) UpdateACMEOrder(ctx context.Context, order *storage.ACMEOrder) error {
	err := s.inTx(ctx, "update ACME order", func(tx pgx.Tx) error {
		return updateOrder(ctx, tx, order)
	})
	if err == nil {
		order.Version++
	}
	return err
}

func updateOrder(ctx context.Context, tx pgx.Tx, o *storage.ACMEOrder) error {
	return casUpdate(ctx, tx, "acme_orders", o.ID, sqlUpdateACMEOrder,
		append([]any{o.ID, o.Version}, orderColumns(o)...)...)
}

// ListACMEOrders implements storage.ACME: keyset paging on the creation
// sequence through the (account_id, seq) index. The cursor is resolved to
// its seq first, so a page continues correctly even when the cursor's
// order is purged in between; a cursor that is not one of the account's
// orders is ErrNotFound.
func (s *Store) ListACMEOrders(ctx context.Context, accountID, cursor string, limit int) ([]storage.ACMEOrder, string, error) {
	var after int64
	if cursor != "" {
		err := s.pool.QueryRow(ctx, sqlACMEOrderSeq, cursor, accountID).Scan(&after)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, "", fmt.Errorf("ACME order cursor %s: %w", cursor, storage.ErrNotFound)
		}
		if err != nil {
			return nil, "", wrap(ctx, "list ACME orders", err)
		}
	}
	q := sqlSelectACMEOrder + " WHERE account_id = $1 AND seq > $2 ORDER BY seq" + limitClause(limit)
	rows, err := readAll(ctx, s, "list ACME orders", scanACMEOrder, q, accountID, after)
	if err != nil {
		return nil, "", err
	}
	if limit > 0 && len(rows) > limit {
		return rows[:limit], rows[limit-1].ID, nil
	}
	return rows, "", nil
}

// FinalizeACMEOrder implements storage.ACME: the order's compare-and-set
// first, so a replica that lost the race stops before touching
// certificates; then the certificate insert RecordIssuance makes. Either
// failing rolls back both.
func (s *Store) FinalizeACMEOrder(ctx context.Context, order *storage.ACMEOrder, cert storage.Certificate) error {
	if cert.Serial == "" {
		return errEmptySerial
	}
	if order.CertificateSerial != cert.Serial {
		return errFinalizeSerial
	}
	err := s.inTx(ctx, "finalize ACME order", func(tx pgx.Tx) error {
		if err := updateOrder(ctx, tx, order); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, sqlInsertCertificate, certificateArgs(cert)...)
		if err != nil {
			return err
		}
		return inserted("certificate "+cert.Serial, tag.RowsAffected())
	})
	if err == nil {
		order.Version++
	}
	return err
}

// ACMEOrderByCertificate implements storage.ACME through the unique index
// on certificate_serial.
func (s *Store) ACMEOrderByCertificate(ctx context.Context, serial string) (*storage.ACMEOrder, error) {
	return readOne(ctx, s, "ACME order of certificate "+serial, scanACMEOrder,
		sqlSelectACMEOrder+" WHERE certificate_serial = $1", serial)
}

// PurgeACME implements storage.ACME with one statement (one transaction).
func (s *Store) PurgeACME(ctx context.Context, before time.Time) (int, error) {
	var n int
	if err := s.pool.QueryRow(ctx, sqlPurgeACME, before).Scan(&n); err != nil {
		return 0, wrap(ctx, "purge ACME", err)
	}
	return n, nil
}

func scanACMEOrder(row scanner) (storage.ACMEOrder, error) {
	var o storage.ACMEOrder
	var identifiers []byte
	var notBefore, notAfter, created, expires *time.Time
	var serial *string
	err := row.Scan(&o.ID, &o.AccountID, &o.Provisioner, &identifiers, &o.AuthzIDs, &o.Status, &o.Profile,
		&o.Replaces, &notBefore, &notAfter, &created, &expires, &serial, &o.Error, &o.Version)
	if err != nil {
		return o, err
	}
	o.AuthzIDs, o.CertificateSerial = noStrings(o.AuthzIDs), text(serial)
	o.NotBefore, o.NotAfter, o.CreatedAt, o.ExpiresAt = utc(notBefore), utc(notAfter), utc(created), utc(expires)
	o.Identifiers, err = acmejson.DecodeIdentifiers(identifiers)
	return o, err
}
