package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/stride-pki/stride/internal/storage"
)

// Statements. Every insert that decides a race is ON CONFLICT DO NOTHING
// and its affected-row count says who won: a loser gets a sentinel error,
// not a unique-violation, and the server logs no error for it.
const (
	sqlInsertToken = `INSERT INTO used_tokens (id, expires_at) VALUES ($1, $2)
		ON CONFLICT (id) DO NOTHING`
	sqlInsertCertificate = `INSERT INTO certificates (serial, der, subject, sans, not_before, not_after,
		provisioner_id, provisioner_name, provisioner_type, issued_at, renewed_from)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		ON CONFLICT (serial) DO NOTHING`
	sqlSelectCertificate = `SELECT der, subject, sans, not_before, not_after,
		provisioner_id, provisioner_name, provisioner_type, issued_at, renewed_from
		FROM certificates WHERE serial = $1`
	sqlInsertRevocation = `INSERT INTO revocations (serial, reason_code, reason, revoked_at, expires_at,
		provisioner_id, token_id, mtls, acme)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (serial) DO NOTHING`
	sqlSelectRevocation = `SELECT reason_code, reason, revoked_at, expires_at,
		provisioner_id, token_id, mtls, acme
		FROM revocations WHERE serial = $1`
	sqlPurgeTokens = `DELETE FROM used_tokens WHERE expires_at < $1`
)

// RecordIssuance implements storage.Certificates: the token insert and the
// certificate insert go to the server as one batch in one transaction, and
// either loss rolls both back.
func (s *Store) RecordIssuance(ctx context.Context, cert storage.Certificate, tok *storage.UsedToken) error {
	if cert.Serial == "" {
		return errEmptySerial
	}
	if err := checkToken(tok); err != nil {
		return err
	}
	b := &pgx.Batch{}
	queueToken(b, tok)
	b.Queue(sqlInsertCertificate, certificateArgs(cert)...)
	return s.inTx(ctx, "record issuance", func(tx pgx.Tx) error {
		return runBatch(ctx, tx, b, tok, func(inserted bool) error {
			if !inserted {
				return fmt.Errorf("certificate %s: %w", cert.Serial, storage.ErrConflict)
			}
			return nil
		})
	})
}

// certificateArgs are sqlInsertCertificate's arguments: RecordIssuance and
// FinalizeACMEOrder store a certificate the same way.
func certificateArgs(cert storage.Certificate) []any {
	return []any{cert.Serial, nonNil(cert.DER), cert.Subject, nonNilStrings(cert.SANs),
		cert.NotBefore, cert.NotAfter, cert.Provisioner.ID, cert.Provisioner.Name, cert.Provisioner.Type,
		cert.IssuedAt, cert.RenewedFrom}
}

// Certificate implements storage.Certificates.
func (s *Store) Certificate(ctx context.Context, serial string) (*storage.Certificate, error) {
	c := storage.Certificate{Serial: serial}
	err := s.pool.QueryRow(ctx, sqlSelectCertificate, serial).Scan(&c.DER, &c.Subject, &c.SANs,
		&c.NotBefore, &c.NotAfter, &c.Provisioner.ID, &c.Provisioner.Name, &c.Provisioner.Type,
		&c.IssuedAt, &c.RenewedFrom)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("certificate %s: %w", serial, storage.ErrNotFound)
	}
	if err != nil {
		return nil, wrap(ctx, "read certificate", err)
	}
	if len(c.SANs) == 0 {
		c.SANs = nil
	}
	c.NotBefore, c.NotAfter, c.IssuedAt = c.NotBefore.UTC(), c.NotAfter.UTC(), c.IssuedAt.UTC()
	return &c, nil
}

// Revoke implements storage.Revocations, as RecordIssuance does.
func (s *Store) Revoke(ctx context.Context, rev storage.Revocation, tok *storage.UsedToken) error {
	if rev.Serial == "" {
		return errEmptySerial
	}
	if err := checkToken(tok); err != nil {
		return err
	}
	b := &pgx.Batch{}
	queueToken(b, tok)
	b.Queue(sqlInsertRevocation, rev.Serial, rev.ReasonCode, rev.Reason, rev.RevokedAt, nullTime(rev.ExpiresAt),
		rev.ProvisionerID, rev.TokenID, rev.MTLS, rev.ACME)
	return s.inTx(ctx, "revoke", func(tx pgx.Tx) error {
		return runBatch(ctx, tx, b, tok, func(inserted bool) error {
			if !inserted {
				return fmt.Errorf("serial %s: %w", rev.Serial, storage.ErrAlreadyRevoked)
			}
			return nil
		})
	})
}

// Revocation implements storage.Revocations.
func (s *Store) Revocation(ctx context.Context, serial string) (*storage.Revocation, error) {
	r := storage.Revocation{Serial: serial}
	var expires *time.Time
	err := s.pool.QueryRow(ctx, sqlSelectRevocation, serial).Scan(&r.ReasonCode, &r.Reason, &r.RevokedAt,
		&expires, &r.ProvisionerID, &r.TokenID, &r.MTLS, &r.ACME)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("revocation of %s: %w", serial, storage.ErrNotFound)
	}
	if err != nil {
		return nil, wrap(ctx, "read revocation", err)
	}
	r.RevokedAt = r.RevokedAt.UTC()
	if expires != nil {
		r.ExpiresAt = expires.UTC()
	}
	return &r, nil
}

// UseToken implements storage.Tokens with one autocommitted insert.
func (s *Store) UseToken(ctx context.Context, tok storage.UsedToken) error {
	if err := checkToken(&tok); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return wrap(ctx, "use token", err)
	}
	tag, err := s.pool.Exec(ctx, sqlInsertToken, tok.ID, nullTime(tok.ExpiresAt))
	if err != nil {
		return wrap(ctx, "use token", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("token %q: %w", tok.ID, storage.ErrTokenUsed)
	}
	return nil
}

// PurgeTokens implements storage.Tokens with one delete; rows without an
// expiry are NULL and never compare below the cut-off. Deleting only locks
// the rows it removes, so it does not hold up concurrent inserts.
func (s *Store) PurgeTokens(ctx context.Context, before time.Time) (int, error) {
	tag, err := s.pool.Exec(ctx, sqlPurgeTokens, before)
	if err != nil {
		return 0, wrap(ctx, "purge tokens", err)
	}
	return int(tag.RowsAffected()), nil
}

// inTx runs fn in a transaction: committed when fn returns nil, rolled
// back otherwise. A context already done writes nothing.
func (s *Store) inTx(ctx context.Context, op string, fn func(pgx.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return wrap(ctx, op, err)
	}
	err := pgx.BeginFunc(ctx, s.pool, fn)
	if err == nil || isSentinel(err) {
		return err
	}
	return wrap(ctx, op, err)
}

// runBatch sends b (the optional token insert, then the record's insert)
// and decides in that order, so a replayed token reports ErrTokenUsed even
// when the record's insert lost too. decide gets whether the record's row
// was inserted.
func runBatch(ctx context.Context, tx pgx.Tx, b *pgx.Batch, tok *storage.UsedToken, decide func(bool) error) error {
	br := tx.SendBatch(ctx, b)
	if tok != nil {
		tag, err := br.Exec()
		if err != nil {
			br.Close()
			return err
		}
		if tag.RowsAffected() == 0 {
			br.Close()
			return fmt.Errorf("token %q: %w", tok.ID, storage.ErrTokenUsed)
		}
	}
	tag, err := br.Exec()
	if err != nil {
		br.Close()
		return err
	}
	if err := br.Close(); err != nil {
		return err
	}
	return decide(tag.RowsAffected() == 1)
}

// queueToken queues the insert that consumes tok, if any.
func queueToken(b *pgx.Batch, tok *storage.UsedToken) {
	if tok != nil {
		b.Queue(sqlInsertToken, tok.ID, nullTime(tok.ExpiresAt))
	}
}

func checkToken(tok *storage.UsedToken) error {
	if tok != nil && tok.ID == "" {
		return errEmptyTokenID
	}
	return nil
}

// wrap adds context to a failure; when the caller's ctx is done, that is
// the cause worth reporting (pgx reports it in several shapes).
func wrap(ctx context.Context, op string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("postgres: %s: %w", op, ctxErr)
	}
	return fmt.Errorf("postgres: %s: %w", op, err)
}

func isSentinel(err error) bool {
	return errors.Is(err, storage.ErrTokenUsed) || errors.Is(err, storage.ErrConflict) ||
		errors.Is(err, storage.ErrAlreadyRevoked) || errors.Is(err, storage.ErrNotFound) ||
		errors.Is(err, storage.ErrStale) || errors.Is(err, storage.ErrEABKeyBound)
}

// nullTime stores the zero time, "unknown", as NULL.
func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// nonNil and nonNilStrings keep a nil slice from becoming NULL in a NOT
// NULL column.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
