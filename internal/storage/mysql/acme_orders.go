package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/stride-pki/stride/internal/storage"
	"github.com/stride-pki/stride/internal/storage/acmejson"
)

const (
	sqlInsertACMEOrder = `INSERT INTO acme_orders (account_id, provisioner, identifiers, authz_ids, status,
  profile, replaces, not_before, not_after, created_at, expires_at, certificate_serial, error, id, version)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`
	sqlSelectACMEOrder = `SELECT id, account_id, provisioner, identifiers, authz_ids, status, profile,
  replaces, not_before, not_after, created_at, expires_at, certificate_serial, error, version
  FROM acme_orders`
	sqlUpdateACMEOrder = `UPDATE acme_orders SET account_id = ?, provisioner = ?, identifiers = ?,
  authz_ids = ?, status = ?, profile = ?, replaces = ?, not_before = ?, not_after = ?, created_at = ?,
  expires_at = ?, certificate_serial = ?, error = ?, version = version + 1 WHERE id = ? AND version = ?`
	sqlACMEOrderSeq = `SELECT seq FROM acme_orders WHERE id = ? AND account_id = ?`
)

// errFinalizeSerial is a caller bug: the finalized order must name the
// certificate stored with it.
var errFinalizeSerial = errors.New("mysql: finalize: the order's CertificateSerial is not the certificate's serial")

// orderColumns are the arguments for the columns before id, in the order
// the insert and the update name them.
func orderColumns(o *storage.ACMEOrder) []any {
	return []any{o.AccountID, o.Provisioner, jsonArg(acmejson.EncodeIdentifiers(o.Identifiers)),
		jsonArg(acmejson.EncodeStrings(o.AuthzIDs)), o.Status, o.Profile, o.Replaces, dbTime(o.NotBefore),
		dbTime(o.NotAfter), dbTime(o.CreatedAt), dbTime(o.ExpiresAt), nullString(o.CertificateSerial), o.Error}
}

// CreateACMEOrder implements storage.ACME: the order and its
// authorizations in one transaction; any duplicate ID rolls back all.
func (s *Store) CreateACMEOrder(ctx context.Context, order *storage.ACMEOrder, authzs []*storage.ACMEAuthz) error {
	if order.ID == "" {
		return errEmptyID
	}
	for _, az := range authzs {
		if az.ID == "" {
			return errEmptyID
		}
	}
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx, _ bool) error {
		err := insertRow(ctx, tx, "ACME order "+order.ID, sqlInsertACMEOrder,
			append(orderColumns(order), order.ID)...)
		for i := 0; err == nil && i < len(authzs); i++ {
			err = insertRow(ctx, tx, "ACME authorization "+authzs[i].ID, sqlInsertACMEAuthz,
				append(authzColumns(authzs[i]), authzs[i].ID, order.ID)...)
		}
		return err
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
	return readOne(ctx, s, "ACME order "+id, scanACMEOrder, sqlSelectACMEOrder+" WHERE id = ?", id)
}

// UpdateACMEOrder implements storage.ACME.
func (s *Store) UpdateACMEOrder(ctx context.Context, order *storage.ACMEOrder) error {
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx, _ bool) error {
		return updateOrder(ctx, tx, order)
	})
	if err == nil {
		order.Version++
	}
	return err
}

func updateOrder(ctx context.Context, tx *sql.Tx, o *storage.ACMEOrder) error {
	return casUpdate(ctx, tx, "acme_orders", o.ID, sqlUpdateACMEOrder, append(orderColumns(o), o.ID, o.Version)...)
}

// ListACMEOrders implements storage.ACME: keyset paging on the creation
// sequence through the (account_id, seq) index. The cursor is resolved to
// its seq first, so a page continues correctly even when the cursor's
// order is purged in between; a cursor that is not one of the account's
// orders is ErrNotFound.
func (s *Store) ListACMEOrders(ctx context.Context, accountID, cursor string, limit int) ([]storage.ACMEOrder, string, error) {
	var after uint64
	if cursor != "" {
		err := s.db.QueryRowContext(ctx, sqlACMEOrderSeq, cursor, accountID).Scan(&after)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, "", fmt.Errorf("ACME order cursor %s: %w", cursor, storage.ErrNotFound)
		}
		if err != nil {
			return nil, "", contextFirst(ctx, fmt.Errorf("mysql: list ACME orders: %w", err))
		}
	}
	q, args := sqlSelectACMEOrder+" WHERE account_id = ? AND seq > ? ORDER BY seq", []any{accountID, after}
	if limit > 0 {
		// One row more than the page, to know whether another follows.
		q, args = q+" LIMIT ?", append(args, limit+1)
	}
	rows, err := readAll(ctx, s, "list ACME orders", scanACMEOrder, q, args...)
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
// certificates; then the rows RecordIssuance inserts. Either failing rolls
// back both.
func (s *Store) FinalizeACMEOrder(ctx context.Context, order *storage.ACMEOrder, cert storage.Certificate) error {
	if err := checkCertificate(&cert); err != nil {
		return err
	}
	if order.CertificateSerial != cert.Serial {
		return errFinalizeSerial
	}
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx, _ bool) error {
		if err := updateOrder(ctx, tx, order); err != nil {
			return err
		}
		err := insertCertificateRows(ctx, tx, &cert)
		if isServerError(err, erDupEntry) {
			return fmt.Errorf("certificate %s: %w", cert.Serial, storage.ErrConflict)
		}
		return err
	})
	if err == nil {
		order.Version++
	}
	return err
}

// ACMEOrderByCertificate implements storage.ACME through the unique key on
// certificate_serial.
func (s *Store) ACMEOrderByCertificate(ctx context.Context, serial string) (*storage.ACMEOrder, error) {
	return readOne(ctx, s, "ACME order of certificate "+serial, scanACMEOrder,
		sqlSelectACMEOrder+" WHERE certificate_serial = ?", serial)
}

func scanACMEOrder(row scanner) (storage.ACMEOrder, error) {
	var o storage.ACMEOrder
	var identifiers, authzIDs []byte
	var notBefore, notAfter, created, expires sql.NullTime
	var serial sql.NullString
	err := row.Scan(&o.ID, &o.AccountID, &o.Provisioner, &identifiers, &authzIDs, &o.Status, &o.Profile,
		&o.Replaces, &notBefore, &notAfter, &created, &expires, &serial, &o.Error, &o.Version)
	if err != nil {
		return o, err
	}
	o.CertificateSerial = serial.String
	o.NotBefore, o.NotAfter, o.CreatedAt, o.ExpiresAt = goTime(notBefore), goTime(notAfter), goTime(created), goTime(expires)
	if o.Identifiers, err = acmejson.DecodeIdentifiers(identifiers); err != nil {
		return o, err
	}
	o.AuthzIDs, err = acmejson.DecodeStrings(authzIDs)
	return o, err
}
