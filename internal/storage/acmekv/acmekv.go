// Package acmekv implements storage.ACME once for the embedded backends
// (bolt and badger) over an ordered key-value transaction. The contract's
// checks (versions, uniqueness, EAB binding) and its indexes are the same
// in both, so they live here; a backend supplies only its transactions
// (group commit, conflict retries) and a Tx that maps each Space to a
// bbolt bucket or a Badger key prefix.
//
// Spaces (key -> value). Records are a version byte then JSON (ACME
// records are small and off the issuance hot path, so readability wins
// over package codec's compact format); lp(s) is a uvarint length then s,
// so one account's or provisioner's keys share a prefix no other has; t(x)
// is codec's 12-byte time key, which sorts like the time:
//
//	Accounts          account ID                      -> account
//	AccountsByKey     lp(provisioner) ‖ key ID        -> account ID (unique)
//	Orders            order ID                        -> order
//	OrdersByAccount   lp(account ID) ‖ t(created) ‖ ID -> empty (creation order)
//	OrdersByCert      serial                          -> order ID
//	OrdersByExpiry    t(expires) ‖ order ID           -> empty (orders not valid: what PurgeACME may delete)
//	Authzs            authz ID                        -> authz
//	AuthzsDue         t(validateAt) ‖ authz ID        -> empty (the validation queue)
//	EABKeys           key ID                          -> EAB key
//	EABKeysByRef      lp(provisioner) ‖ reference     -> key ID (unique; non-empty references)
//	EABKeysByProv     lp(provisioner) ‖ key ID        -> empty
//
// Every index entry is derived from its record (indexes below) and written
// in the record's transaction, so an update replaces exactly the entries
// that changed.
package acmekv

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/stride-pki/stride/internal/storage"
	"github.com/stride-pki/stride/internal/storage/codec"
)

// Space is one keyspace (a bbolt bucket, a Badger key prefix).
type Space int

// The spaces; see the package comment. Their order is not persisted.
const (
	Accounts Space = iota
	AccountsByKey
	Orders
	OrdersByAccount
	OrdersByCert
	OrdersByExpiry
	Authzs
	AuthzsDue
	EABKeys
	EABKeysByRef
	EABKeysByProv
	NumSpaces // the number of spaces, not a space
)

// Tx is one transaction of a backend.
type Tx interface {
	// Get returns the value of key, or nil when it is absent; the value is
	// valid only during the transaction.
	Get(sp Space, key []byte) ([]byte, error)
	Put(sp Space, key, val []byte) error
	Delete(sp Space, key []byte) error
	// Scan calls fn with each key that starts with prefix and is not
	// before start (start begins with prefix, or is nil), in byte order,
	// until fn returns false or an error. fn must not write.
	Scan(sp Space, prefix, start []byte, fn func(k, v []byte) (bool, error)) error
	// CertificateExists reports whether serial is a stored certificate.
	CertificateExists(serial string) (bool, error)
	// PutCertificate stores cert exactly as RecordIssuance does.
	PutCertificate(cert *storage.Certificate) error
}

// Backend runs transactions.
type Backend interface {
	// Write runs fn in a read-write transaction and returns once it is
	// durable. fn returns its caller's outcome (nil, or an error meaning
	// fn wrote nothing) and, separately, an error that aborts the
	// transaction. fn may run more than once, each time deciding afresh. A
	// ctx done before fn runs returns ctx.Err() with nothing written.
	Write(ctx context.Context, fn func(tx Tx) (outcome, err error)) error
	// View runs fn in a read-only transaction (ctx.Err() if ctx is done).
	View(ctx context.Context, fn func(tx Tx) error) error
}

// ACME implements storage.ACME over a Backend.
type ACME struct{ b Backend }

// New returns the ACME store of b.
func New(b Backend) *ACME { return &ACME{b: b} }

var _ storage.ACME = (*ACME)(nil)

// maxIDLen bounds caller-chosen IDs, keys and references, so every key
// fits both backends' limits with room to spare.
const maxIDLen = 1024

// checkID rejects an empty or oversized ID: a caller bug, never a key.
func checkID(what, id string) error {
	switch {
	case id == "":
		return fmt.Errorf("acme: empty %s", what)
	case len(id) > maxIDLen:
		return fmt.Errorf("acme: %s longer than %d bytes", what, maxIDLen)
	}
	return nil
}

const recordV1 = 1

// encode returns v's record.
func encode(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("acme: encode %T: %w", v, err)
	}
	return append([]byte{recordV1}, b...), nil
}

// get decodes the record id of sp into a new T, or returns nil when absent.
func get[T any](tx Tx, sp Space, id string) (*T, error) {
	v, err := tx.Get(sp, []byte(id))
	if err != nil || v == nil {
		return nil, err
	}
	if len(v) == 0 || v[0] != recordV1 {
		return nil, fmt.Errorf("acme: record %q: unknown record version", id)
	}
	r := new(T)
	if err := json.Unmarshal(v[1:], r); err != nil {
		return nil, fmt.Errorf("acme: decode record %q: %w", id, err)
	}
	toUTC(r)
	return r, nil
}

// toUTC puts a decoded record's times in UTC (JSON keeps the offset they
// were written with).
func toUTC(r any) {
	utc := func(ts ...*time.Time) {
		for _, t := range ts {
			*t = t.UTC()
		}
	}
	switch r := r.(type) {
	case *storage.ACMEAccount:
		utc(&r.CreatedAt)
	case *storage.ACMEOrder:
		utc(&r.NotBefore, &r.NotAfter, &r.CreatedAt, &r.ExpiresAt)
	case *storage.ACMEAuthz:
		utc(&r.CreatedAt, &r.ExpiresAt, &r.ValidateAt)
		for i := range r.Challenges {
			utc(&r.Challenges[i].ValidatedAt)
		}
	case *storage.ACMEEABKey:
		utc(&r.CreatedAt, &r.BoundAt)
	}
}

// view reads the record id of sp in its own transaction: ErrNotFound
// (wrapped with what and id) when absent.
func view[T any](ctx context.Context, a *ACME, sp Space, what, id string) (*T, error) {
	var r *T
	err := a.b.View(ctx, func(tx Tx) (err error) {
		r, err = get[T](tx, sp, id)
		return err
	})
	if err == nil && r == nil {
		err = notFound(what, id)
	}
	return r, err
}

// entry is one index entry of a record.
type entry struct {
	sp       Space
	key, val []byte
}

// replace stores val as the record id of sp and moves its index entries
// from old (the stored record's; nil for a new record) to new.
func replace(tx Tx, sp Space, id string, val []byte, old, new []entry) error {
	for _, o := range old {
		if !hasEntry(new, o) {
			if err := deleteEntry(tx, o); err != nil {
				return err
			}
		}
	}
	for _, n := range new {
		if err := tx.Put(n.sp, n.key, n.val); err != nil {
			return err
		}
	}
	return tx.Put(sp, []byte(id), val)
}

// remove deletes the record id of sp and its index entries.
func remove(tx Tx, sp Space, id string, idx []entry) error {
	for _, e := range idx {
		if err := deleteEntry(tx, e); err != nil {
			return err
		}
	}
	return tx.Delete(sp, []byte(id))
}

// deleteEntry deletes e unless its key now names another record: an entry
// with a value (the record it names) that another record has taken since,
// such as a certificate serial an update moved to another order, stays.
func deleteEntry(tx Tx, e entry) error {
	if len(e.val) > 0 {
		cur, err := tx.Get(e.sp, e.key)
		if err != nil || string(cur) != string(e.val) {
			return err
		}
	}
	return tx.Delete(e.sp, e.key)
}

func hasEntry(es []entry, e entry) bool {
	for _, x := range es {
		if x.sp == e.sp && string(x.key) == string(e.key) && string(x.val) == string(e.val) {
			return true
		}
	}
	return false
}

// lp is a uvarint length then s: a prefix that no longer or shorter s
// shares.
func lp(s string) []byte {
	return append(binary.AppendUvarint(make([]byte, 0, 2+len(s)), uint64(len(s))), s...)
}

// timed is t's time key then id.
func timed(t time.Time, id string) []byte {
	return append(codec.AppendTime(make([]byte, 0, codec.TimeLen+len(id)), t), id...)
}

// empty is the value of index entries that carry nothing but their key
// (not nil: some stores read a nil value back as absent).
var empty = []byte{}

// absent reports whether the record id of sp does not exist.
func absent(tx Tx, sp Space, id string) (bool, error) {
	v, err := tx.Get(sp, []byte(id))
	return v == nil, err
}

// notFound is the outcome of an update of an absent record.
func notFound(what, id string) error {
	return fmt.Errorf("acme %s %q: %w", what, id, storage.ErrNotFound)
}

// stale is the outcome of an optimistic update that read version read of
// a record now stored at version stored (nil when they are equal).
func stale(what, id string, stored, read int64) error {
	if stored != read {
		return fmt.Errorf("acme %s %q is at version %d, not %d: %w", what, id, stored, read, storage.ErrStale)
	}
	return nil
}

// errNilRecord rejects a nil record pointer: a caller bug.
var errNilRecord = errors.New("acme: nil record")
