// Package storage defines what the CA keeps, shaped by use case: each method
// is one transaction, so nothing is ever half-written. Backends (bolt/ and,
// later, badger/, postgres/, mysql/) implement Store; storagetest holds the
// one conformance suite every backend runs.
//
// Contract for every method: ctx cancels waiting (not a committed write): a
// call whose ctx is done before its transaction runs writes nothing and
// returns ctx.Err(), while a write that committed stays committed. Errors are
// the sentinels below, wrapped with context, or a backend error; all methods
// are safe for concurrent use. Times come back in UTC with at least second
// precision (SQL backends may round); strings and slices come back exactly,
// SANs in their order. An empty serial or token ID is an error (not a
// sentinel): it is a caller bug, never a key.
package storage

import (
	"context"
	"errors"
	"time"
)

// Sentinel errors; test them with errors.Is.
var (
	// ErrNotFound: the record does not exist.
	ErrNotFound = errors.New("storage: not found")
	// ErrConflict: a record with that key exists already (certificates are insert-only).
	ErrConflict = errors.New("storage: already exists")
	// ErrTokenUsed: the one-time token was consumed before; nothing else in the
	// transaction was written.
	ErrTokenUsed = errors.New("storage: token already used")
	// ErrAlreadyRevoked: the serial has a revocation already.
	ErrAlreadyRevoked = errors.New("storage: already revoked")
	// ErrLocked: an embedded database is held by another process.
	ErrLocked = errors.New("storage: database is locked by another process")
)

// ProvisionerRef names the provisioner that authorized an issuance.
type ProvisionerRef struct {
	ID   string `json:"id"`   // token ID, e.g. "admin:<kid>" or "x5c/name"
	Name string `json:"name"` // provisioner name
	Type string `json:"type"` // "JWK", "X5C", …
}

// Certificate is one issued X.509 certificate and what is known about how it
// was issued. Renewals and rekeys are certificates of their own.
type Certificate struct {
	Serial      string         // decimal, as step writes serials
	DER         []byte         // the certificate
	Subject     string         // subject common name
	SANs        []string       // DNS names, IPs, emails and URIs, as strings
	NotBefore   time.Time      //
	NotAfter    time.Time      //
	Provisioner ProvisionerRef //
	IssuedAt    time.Time      // when it was recorded
	RenewedFrom string         // serial of the certificate it renews or rekeys, if any
}

// Revocation records that a certificate is revoked (passively, as step-ca).
type Revocation struct {
	Serial        string    // decimal
	ReasonCode    int       // RFC 5280 CRLReason, 0..10
	Reason        string    // free text from the requester
	RevokedAt     time.Time //
	ExpiresAt     time.Time // the certificate's notAfter when known (zero otherwise)
	ProvisionerID string    // who authorized it
	TokenID       string    // the token that authorized it, if any
	MTLS          bool      // authorized by the certificate itself over mTLS
	ACME          bool      // authorized through ACME
}

// UsedToken is a one-time token to consume in the same transaction as the
// operation it authorizes. ID is the provisioner-scoped replay key; all
// operations share one namespace of IDs.
type UsedToken struct {
	ID string
	// ExpiresAt is the token's exp: the record may be purged after it. The
	// zero time means "no expiry known": such a record is never purged, as
	// replay protection must not lapse for a token that never expires.
	ExpiresAt time.Time
}

// Certificates stores issued certificates.
type Certificates interface {
	// RecordIssuance stores cert and, when tok is not nil, consumes tok, in
	// one transaction: ErrTokenUsed (nothing stored) when tok was used before,
	// ErrConflict (nothing stored, tok not consumed, the existing row
	// unchanged) when the serial exists. The token is checked first, so a
	// replayed token reports ErrTokenUsed even for an existing serial. The
	// write is durable when it returns nil (invariant I1).
	RecordIssuance(ctx context.Context, cert Certificate, tok *UsedToken) error
	// Certificate returns the certificate with serial, or ErrNotFound.
	Certificate(ctx context.Context, serial string) (*Certificate, error)
	// ListCertificates returns up to limit certificates that match f, each
	// with its revocation, in ascending order of serial compared as bytes
	// (for Stride's time-ordered serials of one length, issuance order),
	// starting after the serial cursor ("" starts at the beginning; any
	// string is accepted, whether stored or not). limit <= 0 means no
	// limit. next is the serial of the last row returned when more rows
	// match after it, else "": passing it back as cursor with the same f
	// gives the next page, and pages never repeat or skip a row that
	// existed when the first page was read (rows recorded later with a
	// serial after the cursor appear in a later page). Revocations of
	// serials that are not stored certificates are not listed.
	ListCertificates(ctx context.Context, f CertificateFilter, cursor string, limit int) (rows []CertificateRow, next string, err error)
}

// RevokedFilter says whether ListCertificates lists revoked certificates.
type RevokedFilter int

const (
	// AnyRevoked lists certificates whether revoked or not.
	AnyRevoked RevokedFilter = iota
	// OnlyRevoked lists only certificates that have a revocation.
	OnlyRevoked
	// NotRevoked lists only certificates without a revocation.
	NotRevoked
)

// CertificateFilter selects certificates for ListCertificates. Every set
// field must match (AND); the zero value matches every certificate.
// Substring matches are case-insensitive for ASCII letters (SQL backends
// may fold other letters too) and treat every character literally
// (no wildcards).
type CertificateFilter struct {
	// Provisioner, when set, is the provisioner's name, matched exactly.
	Provisioner string
	// Subject, when set, is a substring of the subject common name.
	Subject string
	// SAN, when set, is a substring of at least one SAN.
	SAN string
	// Revoked selects by revocation (default AnyRevoked).
	Revoked RevokedFilter
	// NotAfterFrom and NotAfterBefore, when not zero, bound NotAfter:
	// NotAfterFrom <= NotAfter < NotAfterBefore.
	NotAfterFrom, NotAfterBefore time.Time
	// IssuedAfter, when not zero, keeps certificates with IssuedAt strictly
	// after it.
	IssuedAfter time.Time
}

// CertificateRow is one listed certificate and its revocation, if any.
type CertificateRow struct {
	Certificate
	Revocation *Revocation // nil when the certificate is not revoked
}

// Revocations stores revocations.
type Revocations interface {
	// Revoke records rev and, when tok is not nil, consumes tok, in one
	// transaction: ErrTokenUsed or ErrAlreadyRevoked leave nothing written
	// (the token is checked first, as in RecordIssuance). The serial need not
	// be a stored certificate. Revocations are never deleted (invariant I4).
	Revoke(ctx context.Context, rev Revocation, tok *UsedToken) error
	// Revocation returns the revocation of serial, or ErrNotFound.
	Revocation(ctx context.Context, serial string) (*Revocation, error)
}

// Tokens consumes one-time tokens on their own (operations that store nothing else).
type Tokens interface {
	// UseToken consumes tok with one atomic insert: ErrTokenUsed when it was used.
	UseToken(ctx context.Context, tok UsedToken) error
	// PurgeTokens deletes used tokens whose ExpiresAt is strictly before
	// before (never those with a zero ExpiresAt) and returns how many.
	PurgeTokens(ctx context.Context, before time.Time) (int, error)
}

// Records walks the rows ListCertificates does not show, so a store can be
// exported whole (`stride ca db export`): every revocation, including those
// of serials that are not stored certificates, every used token, every
// ACME account and every ACME order of every account. Each returns up to
// limit rows (limit <= 0: all) after the key cursor ("" starts at the
// beginning), in an order of the backend's choosing that stays the same
// between pages (ACME rows: ascending ID compared as bytes), in one read;
// next is the last row's key (serial, token ID, account ID or order ID)
// when more rows follow, else "", and passing it back gives the next page.
// A cursor need not be stored (a row deleted between pages does not end
// the walk). Rows that existed when the first page was read and still
// exist are neither repeated nor skipped.
//
// ACME authorizations have no walk of their own: each belongs to exactly
// one order and is read through its AuthzIDs (ACME.ACMEAuthz); EAB keys
// are listed whole by ACME.ListACMEEABKeys(ctx, "").
type Records interface {
	ListRevocations(ctx context.Context, cursor string, limit int) (rows []Revocation, next string, err error)
	ListTokens(ctx context.Context, cursor string, limit int) (rows []UsedToken, next string, err error)
	// ListACMEAccounts walks every provisioner's ACME accounts
	// (deactivated and revoked ones too), by ID.
	ListACMEAccounts(ctx context.Context, cursor string, limit int) (rows []ACMEAccount, next string, err error)
	// ListAllACMEOrders walks every account's ACME orders, whatever their
	// status, by ID (ListACMEOrders lists one account's in creation order).
	ListAllACMEOrders(ctx context.Context, cursor string, limit int) (rows []ACMEOrder, next string, err error)
}

// Store is everything a CA keeps.
type Store interface {
	Certificates
	Revocations
	Tokens
	Records
	ACME
	// Close releases the database; no method may be called after it.
	Close() error
}
