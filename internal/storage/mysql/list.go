package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/stride-pki/stride/internal/storage"
)

// selectList is the listing's SELECT; listQuery adds the WHERE clause. A
// LEFT JOIN brings each certificate's revocation, if any.
const selectList = `SELECT c.serial, c.der, c.subject, c.not_before, c.not_after,
  c.provisioner_id, c.provisioner_name, c.provisioner_type, c.issued_at, c.renewed_from,
  r.serial IS NOT NULL, r.reason_code, r.reason, r.revoked_at, r.expires_at,
  r.provisioner_id, r.token_id, r.mtls, r.acme
  FROM certificates c LEFT JOIN revocations r ON r.serial = c.serial`

// ListCertificates implements storage.Certificates: keyset paging on the
// primary key (VARBINARY, so byte order), the provisioner and expiry
// filters on their indexes, LIKE on LOWER() for the substring filters (the
// columns' utf8mb4_bin collation is case-sensitive), a SAN through an
// EXISTS on certificate_sans, and one row more than the page to know
// whether another follows. The page's SANs are then read by serial; the
// two reads need no transaction, as a certificate and its SANs become
// visible together and never change.
func (s *Store) ListCertificates(ctx context.Context, f storage.CertificateFilter, cursor string, limit int) ([]storage.CertificateRow, string, error) {
	query, args := listQuery(f, cursor, limit)
	rows, err := s.listRows(ctx, query, args)
	if err != nil {
		return nil, "", contextFirst(ctx, fmt.Errorf("mysql: list certificates: %w", err))
	}
	next := ""
	if limit > 0 && len(rows) > limit {
		rows, next = rows[:limit], rows[limit-1].Serial
	}
	if err := s.listSANs(ctx, rows); err != nil {
		return nil, "", contextFirst(ctx, fmt.Errorf("mysql: list certificates: %w", err))
	}
	return rows, next, nil
}

// listQuery builds the statement and its arguments for f.
func listQuery(f storage.CertificateFilter, cursor string, limit int) (string, []any) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		where = append(where, cond)
		args = append(args, v)
	}
	if cursor != "" {
		add("c.serial > ?", []byte(cursor))
	}
	if f.Provisioner != "" {
		add("c.provisioner_name = ?", f.Provisioner)
	}
	if f.Subject != "" {
		add("LOWER(c.subject) LIKE ?", likePattern(f.Subject))
	}
	if f.SAN != "" {
		add("EXISTS (SELECT 1 FROM certificate_sans s WHERE s.serial = c.serial AND LOWER(s.san) LIKE ?)",
			likePattern(f.SAN))
	}
	switch f.Revoked {
	case storage.OnlyRevoked:
		where = append(where, "r.serial IS NOT NULL")
	case storage.NotRevoked:
		where = append(where, "r.serial IS NULL")
	}
	if !f.NotAfterFrom.IsZero() {
		add("c.not_after >= ?", dbTime(f.NotAfterFrom))
	}
	if !f.NotAfterBefore.IsZero() {
		add("c.not_after < ?", dbTime(f.NotAfterBefore))
	}
	if !f.IssuedAfter.IsZero() {
		add("c.issued_at > ?", dbTime(f.IssuedAfter))
	}
	q := selectList
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY c.serial"
	if limit > 0 {
		q += " LIMIT ?"
		args = append(args, limit+1)
	}
	return q, args
}

// likePattern is %sub% in lower case with LIKE's wildcards and escape
// character escaped, so sub matches literally (backslash is the default
// escape).
func likePattern(sub string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(sub)) + "%"
}

// listRows runs the listing query.
func (s *Store) listRows(ctx context.Context, query string, args []any) ([]storage.CertificateRow, error) {
	dbRows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer dbRows.Close()
	var out []storage.CertificateRow
	for dbRows.Next() {
		row, err := scanListRow(dbRows)
		if err != nil {
			return nil, err
		}
		out = append(out, row)
	}
	return out, dbRows.Err()
}

func scanListRow(rs *sql.Rows) (storage.CertificateRow, error) {
	var (
		c                             storage.CertificateRow
		notBefore, notAfter, issuedAt sql.NullTime
		revoked                       bool
		code                          sql.NullInt64
		reason, provID, tokenID       sql.NullString
		revokedAt, expiresAt          sql.NullTime
		mtls, acmeFlag                sql.NullBool
	)
	err := rs.Scan(&c.Serial, &c.DER, &c.Subject, &notBefore, &notAfter,
		&c.Provisioner.ID, &c.Provisioner.Name, &c.Provisioner.Type, &issuedAt, &c.RenewedFrom,
		&revoked, &code, &reason, &revokedAt, &expiresAt, &provID, &tokenID, &mtls, &acmeFlag)
	if err != nil {
		return c, err
	}
	c.NotBefore, c.NotAfter, c.IssuedAt = goTime(notBefore), goTime(notAfter), goTime(issuedAt)
	if revoked {
		c.Revocation = &storage.Revocation{Serial: c.Serial, ReasonCode: int(code.Int64), Reason: reason.String,
			RevokedAt: goTime(revokedAt), ExpiresAt: goTime(expiresAt), ProvisionerID: provID.String,
			TokenID: tokenID.String, MTLS: mtls.Bool, ACME: acmeFlag.Bool}
	}
	return c, nil
}

// sansChunk bounds the serials of one SAN query's IN list.
const sansChunk = 500

// listSANs fills in the rows' SANs, in their order, a chunk of serials per query.
func (s *Store) listSANs(ctx context.Context, rows []storage.CertificateRow) error {
	bySerial := make(map[string]*storage.CertificateRow, len(rows))
	for i := range rows {
		bySerial[rows[i].Serial] = &rows[i]
	}
	for first := 0; first < len(rows); first += sansChunk {
		chunk := rows[first:min(first+sansChunk, len(rows))]
		args := make([]any, len(chunk))
		for i, r := range chunk {
			args[i] = []byte(r.Serial)
		}
		q := "SELECT serial, san FROM certificate_sans WHERE serial IN (?" +
			strings.Repeat(", ?", len(chunk)-1) + ") ORDER BY serial, position"
		if err := s.scanSANs(ctx, q, args, bySerial); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) scanSANs(ctx context.Context, q string, args []any, bySerial map[string]*storage.CertificateRow) error {
	rs, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rs.Close()
	for rs.Next() {
		var serial, san string
		if err := rs.Scan(&serial, &san); err != nil {
			return err
		}
		if r := bySerial[serial]; r != nil {
			r.SANs = append(r.SANs, san)
		}
	}
	return rs.Err()
}
