package postgres

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/stride-pki/stride/internal/storage"
)

// sqlListCertificates is the listing's SELECT; listQuery adds the WHERE
// clause. A LEFT JOIN brings each certificate's revocation, if any.
const sqlListCertificates = `SELECT c.serial, c.der, c.subject, c.sans, c.not_before, c.not_after,
	c.provisioner_id, c.provisioner_name, c.provisioner_type, c.issued_at, c.renewed_from,
	r.serial IS NOT NULL, r.reason_code, r.reason, r.revoked_at, r.expires_at,
	r.provisioner_id, r.token_id, r.mtls, r.acme
	FROM certificates c LEFT JOIN revocations r ON r.serial = c.serial`

// ListCertificates implements storage.Certificates with one query: keyset
// paging on serial in the "C" collation (byte order, served by
// certificates_serial_c_idx), the provisioner and expiry filters on their
// indexes, ILIKE for the substring filters (a SAN matches through
// unnest(sans)), and one row more than the page to know whether another
// page follows.
func (s *Store) ListCertificates(ctx context.Context, f storage.CertificateFilter, cursor string, limit int) ([]storage.CertificateRow, string, error) {
	query, args := listQuery(f, cursor, limit)
	dbRows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, "", wrap(ctx, "list certificates", err)
	}
	rows, err := pgx.CollectRows(dbRows, scanListRow)
	if err != nil {
		return nil, "", wrap(ctx, "list certificates", err)
	}
	if limit > 0 && len(rows) > limit {
		return rows[:limit], rows[limit-1].Serial, nil
	}
	return rows, "", nil
}

// listQuery builds the statement and its arguments for f.
func listQuery(f storage.CertificateFilter, cursor string, limit int) (string, []any) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if cursor != "" {
		where = append(where, `c.serial COLLATE "C" > `+arg(cursor))
	}
	if f.Provisioner != "" {
		where = append(where, "c.provisioner_name = "+arg(f.Provisioner))
	}
	if f.Subject != "" {
		where = append(where, "c.subject ILIKE "+arg(likePattern(f.Subject)))
	}
	if f.SAN != "" {
		where = append(where, "EXISTS (SELECT 1 FROM unnest(c.sans) AS s(san) WHERE s.san ILIKE "+arg(likePattern(f.SAN))+")")
	}
	switch f.Revoked {
	case storage.OnlyRevoked:
		where = append(where, "r.serial IS NOT NULL")
	case storage.NotRevoked:
		where = append(where, "r.serial IS NULL")
	}
	if !f.NotAfterFrom.IsZero() {
		where = append(where, "c.not_after >= "+arg(f.NotAfterFrom))
	}
	if !f.NotAfterBefore.IsZero() {
		where = append(where, "c.not_after < "+arg(f.NotAfterBefore))
	}
	if !f.IssuedAfter.IsZero() {
		where = append(where, "c.issued_at > "+arg(f.IssuedAfter))
	}
	q := sqlListCertificates
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += ` ORDER BY c.serial COLLATE "C"`
	if limit > 0 {
		q += " LIMIT " + arg(limit+1)
	}
	return q, args
}

// likePattern is %sub% with LIKE's wildcards and escape character in sub
// escaped, so sub matches literally (backslash is LIKE's default escape).
func likePattern(sub string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(sub) + "%"
}

// scanListRow reads one row of sqlListCertificates.
func scanListRow(row pgx.CollectableRow) (storage.CertificateRow, error) {
	var (
		c        storage.CertificateRow
		revoked  bool
		code     *int32
		reason   *string
		revAt    *time.Time
		expires  *time.Time
		provID   *string
		tokenID  *string
		mtls     *bool
		acmeFlag *bool
	)
	err := row.Scan(&c.Serial, &c.DER, &c.Subject, &c.SANs, &c.NotBefore, &c.NotAfter,
		&c.Provisioner.ID, &c.Provisioner.Name, &c.Provisioner.Type, &c.IssuedAt, &c.RenewedFrom,
		&revoked, &code, &reason, &revAt, &expires, &provID, &tokenID, &mtls, &acmeFlag)
	if err != nil {
		return c, err
	}
	if len(c.SANs) == 0 {
		c.SANs = nil
	}
	c.NotBefore, c.NotAfter, c.IssuedAt = c.NotBefore.UTC(), c.NotAfter.UTC(), c.IssuedAt.UTC()
	if revoked {
		c.Revocation = &storage.Revocation{Serial: c.Serial, ReasonCode: int(*code), Reason: *reason,
			RevokedAt: revAt.UTC(), ProvisionerID: *provID, TokenID: *tokenID, MTLS: *mtls, ACME: *acmeFlag}
		if expires != nil {
			c.Revocation.ExpiresAt = expires.UTC()
		}
	}
	return c, nil
}
