package storage

import (
	"context"
	"errors"
	"time"
)

// ACME sentinel errors; test them with errors.Is.
var (
	// ErrStale: an optimistic update lost a race: the record's Version is no
	// longer the one the caller read. Nothing was written; re-read and retry
	// (or report the state the winner left).
	ErrStale = errors.New("storage: record changed since it was read")
	// ErrEABKeyBound: the external account binding key is bound to an
	// account already (EAB keys bind once). Nothing was written.
	ErrEABKeyBound = errors.New("storage: external account key already bound")
)

// ACME object statuses (RFC 8555 §7.1.6) are plain strings in storage; the
// acme package owns their meaning. IDs are chosen by the caller (random,
// URL-safe) and are unique per kind across provisioners.

// ACMEIdentifier is an order or authorization identifier (RFC 8555 §9.7.7).
type ACMEIdentifier struct {
	Type  string // "dns", "ip", …
	Value string // for a wildcard authz, without the "*." prefix
}

// ACMEAccount is an ACME account (RFC 8555 §7.1.2).
type ACMEAccount struct {
	ID          string
	Provisioner string // the ACME provisioner's name
	// KeyID is the RFC 7638 thumbprint (base64url SHA-256) of Key; it is
	// unique per provisioner among all accounts (deactivated ones too).
	KeyID     string
	Key       []byte   // the account public key as a JWK (JSON)
	Contact   []string // in the order given
	Status    string   // "valid", "deactivated", "revoked"
	EABKeyID  string   // the external account key bound at creation, if any
	CreatedAt time.Time
	// Version is set by the store: 1 on create, +1 on every update.
	Version int64
}

// ACMEOrder is an order (RFC 8555 §7.1.3).
type ACMEOrder struct {
	ID          string
	AccountID   string
	Provisioner string
	Identifiers []ACMEIdentifier // in the order given
	AuthzIDs    []string         // in the order of Identifiers
	Status      string           // "pending", "ready", "processing", "valid", "invalid"
	Profile     string           // the requested profile, if any
	Replaces    string           // ARI certificate ID this order replaces (RFC 9773), if any
	NotBefore   time.Time        // requested; zero when not given
	NotAfter    time.Time        // requested; zero when not given
	CreatedAt   time.Time
	ExpiresAt   time.Time
	// CertificateSerial is the issued certificate's serial (decimal) once
	// the order is valid.
	CertificateSerial string
	Error             []byte // a problem document (JSON) when invalid
	Version           int64
}

// ACMEChallenge is one challenge of an authorization (RFC 8555 §7.1.5).
type ACMEChallenge struct {
	ID          string
	Type        string // "http-01", "dns-01", "tls-alpn-01", …
	Status      string // "pending", "processing", "valid", "invalid"
	ValidatedAt time.Time
	Error       []byte // a problem document (JSON), if any
}

// ACMEAuthz is an authorization (RFC 8555 §7.1.4) with its challenges,
// which change together. It also carries its place in the validation
// queue: an authz with a non-zero ValidateAt is due for a validation
// attempt at that time (asynchronous validation survives restarts because
// the queue is the authz itself).
type ACMEAuthz struct {
	ID          string
	AccountID   string
	Provisioner string
	Identifier  ACMEIdentifier
	Wildcard    bool
	Status      string // "pending", "valid", "invalid", "deactivated", "expired", "revoked"
	Token       string // shared by the challenges (step-ca's choice)
	Challenges  []ACMEChallenge
	CreatedAt   time.Time
	ExpiresAt   time.Time
	ValidateAt  time.Time // zero: no validation queued
	Attempts    int       // validation attempts made for the queued challenge
	Version     int64
}

// ACMEEABKey is an external account binding key (RFC 8555 §7.3.4).
type ACMEEABKey struct {
	ID          string // the EAB key identifier ("kid" of the inner JWS)
	Provisioner string
	Reference   string // an operator's name for it; unique per provisioner when not empty
	HMACKey     []byte
	CreatedAt   time.Time
	AccountID   string    // set when bound
	BoundAt     time.Time // set when bound
	Policy      []byte    // an optional policy (JSON) for orders of the bound account
}

// ACME stores the ACME server's state. Every method is one transaction.
// Updates are optimistic: the caller passes the record it read (with its
// Version); the store writes it only if the stored Version is unchanged,
// else returns ErrStale. On success the passed record's Version is updated
// in place. Nonces are not stored here: they are one-time tokens
// (Tokens.UseToken) with an "acme-nonce:" ID.
type ACME interface {
	// CreateACMEAccount stores acct (Version 1). ErrConflict when an account
	// with that ID or with the same (Provisioner, KeyID) exists. When
	// acct.EABKeyID is set, the EAB key is bound to the account in the same
	// transaction: ErrNotFound when no such key exists for acct.Provisioner,
	// ErrEABKeyBound when it is bound already to another account; either
	// way nothing is written. A key bound to acct.ID already is left as it
	// is (AccountID and BoundAt unchanged): that is how an import re-creates
	// an account bound to a key it imported bound (CreateACMEEABKey stores
	// AccountID and BoundAt as given), and a random new account ID is never
	// a bound key's.
	CreateACMEAccount(ctx context.Context, acct *ACMEAccount) error
	// ACMEAccount returns the account with id, or ErrNotFound.
	ACMEAccount(ctx context.Context, id string) (*ACMEAccount, error)
	// ACMEAccountByKey returns the account of provisioner with key
	// thumbprint keyID, or ErrNotFound.
	ACMEAccountByKey(ctx context.Context, provisioner, keyID string) (*ACMEAccount, error)
	// UpdateACMEAccount replaces the account (contact, status, key): ErrStale
	// as above, ErrConflict when a changed KeyID is another account's
	// (key rollover, RFC 8555 §7.3.5), ErrNotFound when absent.
	UpdateACMEAccount(ctx context.Context, acct *ACMEAccount) error

	// CreateACMEOrder stores a new order and its new authorizations (all
	// Version 1) in one transaction; ErrConflict when any ID exists. An
	// order created with a CertificateSerial (an imported valid order) is
	// found by ACMEOrderByCertificate like a finalized one.
	CreateACMEOrder(ctx context.Context, order *ACMEOrder, authzs []*ACMEAuthz) error
	// ACMEOrder returns the order with id, or ErrNotFound.
	ACMEOrder(ctx context.Context, id string) (*ACMEOrder, error)
	// UpdateACMEOrder replaces the order: ErrStale, ErrNotFound.
	UpdateACMEOrder(ctx context.Context, order *ACMEOrder) error
	// ListACMEOrders returns up to limit orders of the account in creation
	// order after the order ID cursor ("" from the start; limit <= 0: all);
	// next is the last row's ID when more follow, else "".
	ListACMEOrders(ctx context.Context, accountID, cursor string, limit int) (rows []ACMEOrder, next string, err error)
	// FinalizeACMEOrder records cert exactly as RecordIssuance does (no
	// token) and replaces order, in one transaction: ErrStale when the order
	// changed (then no certificate is stored either), ErrConflict when the
	// serial exists. So two replicas finalizing one order store exactly one
	// certificate. The order's CertificateSerial must be cert.Serial.
	FinalizeACMEOrder(ctx context.Context, order *ACMEOrder, cert Certificate) error
	// ACMEOrderByCertificate returns the order whose certificate has serial
	// (decimal), or ErrNotFound (the certificate was not issued by ACME).
	ACMEOrderByCertificate(ctx context.Context, serial string) (*ACMEOrder, error)

	// ACMEAuthz returns the authorization with id, or ErrNotFound.
	ACMEAuthz(ctx context.Context, id string) (*ACMEAuthz, error)
	// UpdateACMEAuthz replaces the authorization: ErrStale, ErrNotFound.
	UpdateACMEAuthz(ctx context.Context, authz *ACMEAuthz) error
	// DueACMEValidations returns up to limit authorizations whose
	// ValidateAt is not zero and not after now, earliest first.
	DueACMEValidations(ctx context.Context, now time.Time, limit int) ([]ACMEAuthz, error)

	// CreateACMEEABKey stores a new EAB key: ErrConflict when the ID, or a
	// non-empty Reference within the provisioner, exists. AccountID and
	// BoundAt are stored as given (an imported bound key stays bound).
	CreateACMEEABKey(ctx context.Context, key *ACMEEABKey) error
	// ACMEEABKey returns the key with id, or ErrNotFound.
	ACMEEABKey(ctx context.Context, id string) (*ACMEEABKey, error)
	// ListACMEEABKeys returns the provisioner's keys ("" lists every
	// provisioner's) ordered by ID.
	ListACMEEABKeys(ctx context.Context, provisioner string) ([]ACMEEABKey, error)
	// DeleteACMEEABKey deletes the key (bound or not): ErrNotFound when absent.
	// Accounts bound with it keep working.
	DeleteACMEEABKey(ctx context.Context, id string) error

	// PurgeACME deletes every order that is not valid and whose ExpiresAt
	// is strictly before before, together with its authorizations (an
	// authorization belongs to exactly one order), and returns how many
	// records it deleted (orders and authorizations together). Valid
	// orders and their authorizations stay (revocation and ARI look
	// certificates up through them).
	PurgeACME(ctx context.Context, before time.Time) (int, error)
}
