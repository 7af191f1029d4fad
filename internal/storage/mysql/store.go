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
		errors.Is(err, storage.ErrAlreadyRevoked) || errors.Is(err, storage.ErrNotFound)
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

// insertToken consumes tok in tx; the primary key on the ID's hash decides.
func insertToken(ctx context.Context, tx *sql.Tx, tok *storage.UsedToken) error {
	if tok == nil {
		return nil
	}
	return execToken(ctx, tx, *tok)
}

// execer is a pool or a transaction.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func execToken(ctx context.Context, e execer, tok storage.UsedToken) error {
	hash := sha256.Sum256([]byte(tok.ID))
	_, err := e.ExecContext(ctx, "INSERT INTO used_tokens (id_hash, id, expires_at) VALUES (?, ?, ?)",
		hash[:], tok.ID, dbTime(tok.ExpiresAt))
	switch {
	case isServerError(err, erDupEntry):
		return fmt.Errorf("token %q: %w", tok.ID, storage.ErrTokenUsed)
	case err != nil:
		return fmt.Errorf("mysql: consume token %q: %w", tok.ID, err)
	}
	return nil
}

const insertCertificate = `INSERT INTO certificates (serial, der, subject, not_before, not_after,
  provisioner_id, provisioner_name, provisioner_type, issued_at, renewed_from)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// RecordIssuance implements storage.Certificates: the token, then the
// certificate, then its SANs, in one transaction.
func (s *Store) RecordIssuance(ctx context.Context, cert storage.Certificate, tok *storage.UsedToken) error {
	if err := checkCertificate(&cert); err != nil {
		return err
	}
	if err := checkToken(tok); err != nil {
		return err
	}
	der := cert.DER
	if der == nil {
		der = []byte{} // NOT NULL column; an empty DER stays empty
	}
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := insertToken(ctx, tx, tok); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, insertCertificate, cert.Serial, der, cert.Subject,
			dbTime(cert.NotBefore), dbTime(cert.NotAfter), cert.Provisioner.ID, cert.Provisioner.Name,
			cert.Provisioner.Type, dbTime(cert.IssuedAt), cert.RenewedFrom)
		switch {
		case isServerError(err, erDupEntry):
			return fmt.Errorf("certificate %s: %w", cert.Serial, storage.ErrConflict)
		case err != nil:
			return fmt.Errorf("mysql: insert certificate %s: %w", cert.Serial, err)
		}
		return insertSANs(ctx, tx, cert.Serial, cert.SANs)
	})
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
