package mysql

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/stride-pki/stride/internal/storage"
)

// Limits of the schema's columns, checked before any transaction so an
// over-long value is a clear caller error rather than a server error.
const (
	maxSerialLen  = 64   // certificates.serial, VARBINARY(64): a 20-byte serial has 49 digits
	maxSubjectLen = 1024 // certificates.subject, characters
	maxSANs       = 65535
)

// Caller bugs, rejected before any transaction.
var (
	errEmptySerial    = errors.New("mysql: empty serial")
	errSerialTooLong  = fmt.Errorf("mysql: serial longer than %d bytes", maxSerialLen)
	errEmptyTokenID   = errors.New("mysql: empty token ID")
	errSubjectTooLong = fmt.Errorf("mysql: subject longer than %d characters", maxSubjectLen)
	errTooManySANs    = fmt.Errorf("mysql: more than %d SANs", maxSANs)
)

// isOutcome reports whether err is an answer of the contract (a sentinel),
// as opposed to a failure.
func isOutcome(err error) bool {
	return errors.Is(err, storage.ErrTokenUsed) || errors.Is(err, storage.ErrConflict) ||
		errors.Is(err, storage.ErrAlreadyRevoked) || errors.Is(err, storage.ErrNotFound) ||
		errors.Is(err, storage.ErrStale) || errors.Is(err, storage.ErrEABKeyBound)
}

func checkSerial(serial string) error {
	switch {
	case serial == "":
		return errEmptySerial
	case len(serial) > maxSerialLen:
		return errSerialTooLong
	}
	return nil
}

func checkToken(tok *storage.UsedToken) error {
	if tok != nil && tok.ID == "" {
		return errEmptyTokenID
	}
	return nil
}

func checkCertificate(cert *storage.Certificate) error {
	if err := checkSerial(cert.Serial); err != nil {
		return err
	}
	if len(cert.RenewedFrom) > maxSerialLen {
		return fmt.Errorf("mysql: renewed-from %w", errSerialTooLong)
	}
	if utf8.RuneCountInString(cert.Subject) > maxSubjectLen {
		return errSubjectTooLong
	}
	if len(cert.SANs) > maxSANs {
		return errTooManySANs
	}
	return nil
}

// dbTime is t for a DATETIME(6) column: NULL for the zero time, else UTC.
func dbTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

// goTime is the inverse of dbTime.
func goTime(t sql.NullTime) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return t.Time.UTC()
}

// execer is a pool or a transaction.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// tokenKey is the primary key of a used token.
func tokenKey(id string) []byte {
	h := sha256.Sum256([]byte(id))
	return h[:]
}

// execToken consumes tok: one INSERT whose duplicate-key error means the
// token was used before.
func execToken(ctx context.Context, e execer, tok storage.UsedToken) error {
	_, err := e.ExecContext(ctx, "INSERT INTO used_tokens (id_hash, id, expires_at) VALUES (?, ?, ?)",
		tokenKey(tok.ID), tok.ID, dbTime(tok.ExpiresAt))
	switch {
	case isServerError(err, erDupEntry):
		return fmt.Errorf("token %q: %w", tok.ID, storage.ErrTokenUsed)
	case err != nil:
		return fmt.Errorf("mysql: consume token %q: %w", tok.ID, err)
	}
	return nil
}

// insertToken consumes tok (if any) in tx.
func insertToken(ctx context.Context, tx *sql.Tx, tok *storage.UsedToken) error {
	if tok == nil {
		return nil
	}
	return execToken(ctx, tx, *tok)
}

// tokenUsed returns an ErrTokenUsed error when tok (if any) is consumed by
// a committed transaction. It is a plain (non-locking) read: it decides
// which "no" to answer, never a "yes", which only an INSERT gives.
func tokenUsed(ctx context.Context, tx *sql.Tx, tok *storage.UsedToken) error {
	if tok == nil {
		return nil
	}
	var one int
	err := tx.QueryRowContext(ctx, "SELECT 1 FROM used_tokens WHERE id_hash = ?", tokenKey(tok.ID)).Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return fmt.Errorf("mysql: look up token %q: %w", tok.ID, err)
	}
	return fmt.Errorf("token %q: %w", tok.ID, storage.ErrTokenUsed)
}

// insertOnce inserts a use case's row (insert: a certificate or a
// revocation) and then consumes tok, in tx; see "Statement order" in tx.go
// for why the token comes last. On a duplicate row it answers ErrTokenUsed
// when tok was used (the contract checks the token first), else exists.
// When retrying, it first looks whether tok was used meanwhile.
func insertOnce(ctx context.Context, tx *sql.Tx, retrying bool, tok *storage.UsedToken,
	insert func() error, exists error) error {
	if retrying {
		if err := tokenUsed(ctx, tx, tok); err != nil {
			return err
		}
	}
	err := insert()
	if isServerError(err, erDupEntry) {
		if used := tokenUsed(ctx, tx, tok); used != nil {
			return used
		}
		return exists
	}
	if err != nil {
		return err
	}
	return insertToken(ctx, tx, tok)
}

const insertCertificate = `INSERT INTO certificates (serial, der, subject, not_before, not_after,
  provisioner_id, provisioner_name, provisioner_type, issued_at, renewed_from)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// RecordIssuance implements storage.Certificates: the certificate, its SANs
// and the token in one transaction.
func (s *Store) RecordIssuance(ctx context.Context, cert storage.Certificate, tok *storage.UsedToken) error {
	if err := checkCertificate(&cert); err != nil {
		return err
	}
	if err := checkToken(tok); err != nil {
		return err
	}
	exists := fmt.Errorf("certificate %s: %w", cert.Serial, storage.ErrConflict)
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx, retrying bool) error {
		return insertOnce(ctx, tx, retrying, tok, func() error {
			return insertCertificateRows(ctx, tx, &cert)
		}, exists)
	})
}

// insertCertificateRows inserts the certificate and its SANs in tx; a
// duplicate serial is the server's error 1062, for the caller to map.
// RecordIssuance and FinalizeACMEOrder store a certificate through it.
func insertCertificateRows(ctx context.Context, tx *sql.Tx, cert *storage.Certificate) error {
	der := cert.DER
	if der == nil {
		der = []byte{} // NOT NULL column; an empty DER stays empty
	}
	_, err := tx.ExecContext(ctx, insertCertificate, cert.Serial, der, cert.Subject,
		dbTime(cert.NotBefore), dbTime(cert.NotAfter), cert.Provisioner.ID, cert.Provisioner.Name,
		cert.Provisioner.Type, dbTime(cert.IssuedAt), cert.RenewedFrom)
	if err != nil {
		return fmt.Errorf("mysql: insert certificate %s: %w", cert.Serial, err)
	}
	return insertSANs(ctx, tx, cert.Serial, cert.SANs)
}

// sanChunk is how many SANs one INSERT carries: a certificate's SANs take
// one round trip in all usual cases, and a statement stays far below the
// 65535 placeholders a server-side prepared statement allows (the driver
// falls back to one when a query outgrows client-side interpolation).
const sanChunk = 1000

// insertSANs stores the SANs numbered in their order, in multi-row INSERTs.
func insertSANs(ctx context.Context, tx *sql.Tx, serial string, sans []string) error {
	for first := 0; first < len(sans); first += sanChunk {
		chunk := sans[first:min(first+sanChunk, len(sans))]
		var b strings.Builder
		b.WriteString("INSERT INTO certificate_sans (serial, position, san) VALUES ")
		args := make([]any, 0, 3*len(chunk))
		for i, san := range chunk {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?, ?)")
			args = append(args, serial, first+i, san)
		}
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("mysql: insert SANs of %s: %w", serial, err)
		}
	}
	return nil
}

// Certificate implements storage.Certificates. Two reads without a
// transaction are consistent: a certificate and its SANs become visible
// together at commit and are never changed.
func (s *Store) Certificate(ctx context.Context, serial string) (*storage.Certificate, error) {
	c := storage.Certificate{Serial: serial}
	var notBefore, notAfter, issuedAt sql.NullTime
	err := s.db.QueryRowContext(ctx, `SELECT der, subject, not_before, not_after,
	  provisioner_id, provisioner_name, provisioner_type, issued_at, renewed_from
	  FROM certificates WHERE serial = ?`, serial).Scan(&c.DER, &c.Subject, &notBefore, &notAfter,
		&c.Provisioner.ID, &c.Provisioner.Name, &c.Provisioner.Type, &issuedAt, &c.RenewedFrom)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, fmt.Errorf("certificate %s: %w", serial, storage.ErrNotFound)
	case err != nil:
		return nil, contextFirst(ctx, fmt.Errorf("mysql: read certificate %s: %w", serial, err))
	}
	c.NotBefore, c.NotAfter, c.IssuedAt = goTime(notBefore), goTime(notAfter), goTime(issuedAt)
	if c.SANs, err = s.sans(ctx, serial); err != nil {
		return nil, err
	}
	return &c, nil
}

// sans reads a certificate's SANs in their order (nil when it has none).
func (s *Store) sans(ctx context.Context, serial string) ([]string, error) {
	rows, err := s.db.QueryContext(ctx,
		"SELECT san FROM certificate_sans WHERE serial = ? ORDER BY position", serial)
	if err != nil {
		return nil, contextFirst(ctx, fmt.Errorf("mysql: read SANs of %s: %w", serial, err))
	}
	defer rows.Close()
	var sans []string
	for rows.Next() {
		var san string
		if err := rows.Scan(&san); err != nil {
			return nil, fmt.Errorf("mysql: read SANs of %s: %w", serial, err)
		}
		sans = append(sans, san)
	}
	if err := rows.Err(); err != nil {
		return nil, contextFirst(ctx, fmt.Errorf("mysql: read SANs of %s: %w", serial, err))
	}
	return sans, nil
}
