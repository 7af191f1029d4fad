// Package bolt is the embedded storage backend, a single bbolt file: the
// default for a single-node CA. Every write transaction is fsynced before a
// call returns (bbolt's NoSync stays false), and concurrent writes share one
// transaction through group commit (see batch.go), so durability costs one
// fsync per batch rather than one per certificate.
//
// Layout (bucket: key -> value; see package codec for the value encoding):
//
//	meta:                      "schema" -> "1"
//	certificates:              serial (decimal ASCII) -> certificate record
//	certificates_by_not_after: notAfter (12-byte time key) ‖ serial -> empty
//	revocations:               serial -> revocation record
//	tokens:                    token ID -> exp (12-byte time key, empty when unknown)
//	tokens_by_expiry:          exp (12-byte time key) ‖ token ID -> empty
//	acme_*:                    ACME accounts, orders, authorizations, EAB
//	                           keys and their indexes (acme.go, package acmekv)
//
// The two "by" buckets are indexes kept in the same transaction as their
// rows: certificates_by_not_after serves expiry listings and reports later,
// tokens_by_expiry lets PurgeTokens walk only expired tokens.
//
// bbolt takes an exclusive flock on the file, so one process at a time may
// open it; Open gives up after Options.LockTimeout with storage.ErrLocked.
package bolt

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/stride-pki/stride/internal/storage"
	"github.com/stride-pki/stride/internal/storage/acmekv"
	"github.com/stride-pki/stride/internal/storage/codec"
)

// Bucket names; changing one is a schema change.
var (
	bucketMeta        = []byte("meta")
	bucketCerts       = []byte("certificates")
	bucketCertsByExp  = []byte("certificates_by_not_after")
	bucketRevocations = []byte("revocations")
	bucketTokens      = []byte("tokens")
	bucketTokensByExp = []byte("tokens_by_expiry")

	allBuckets = [][]byte{bucketMeta, bucketCerts, bucketCertsByExp, bucketRevocations, bucketTokens, bucketTokensByExp}

	keySchema     = []byte("schema")
	schemaVersion = []byte("1")
)

// maxKeyLen leaves room for an index's time prefix within bbolt's key limit.
const maxKeyLen = bolt.MaxKeySize - codec.TimeLen

// Caller bugs, rejected before any transaction.
var (
	errEmptySerial    = errors.New("bolt: empty serial")
	errEmptyTokenID   = errors.New("bolt: empty token ID")
	errSerialTooLong  = errors.New("bolt: serial too long")
	errTokenIDTooLong = errors.New("bolt: token ID too long")
)

var _ storage.Store = (*Store)(nil)

// Defaults for Options; see batch.go for why these values.
const (
	DefaultLockTimeout   = time.Second
	DefaultQuietPeriod   = time.Millisecond
	DefaultMaxBatchDelay = 10 * time.Millisecond
	DefaultMaxBatchSize  = 1000
	DefaultTrimInterval  = 50 * time.Millisecond
)

// Options tunes a Store; the zero value takes the defaults.
type Options struct {
	// LockTimeout bounds the wait for the file lock held by another
	// process (default 1 s); then Open fails with storage.ErrLocked.
	LockTimeout time.Duration
	// QuietPeriod closes a group commit when no write has joined it for
	// that long (default DefaultQuietPeriod).
	QuietPeriod time.Duration
	// MaxBatchDelay is the longest the first write of a group commit waits
	// for others to join it (default DefaultMaxBatchDelay).
	MaxBatchDelay time.Duration
	// MaxBatchSize starts a group commit early once it holds this many
	// writes (default DefaultMaxBatchSize).
	MaxBatchSize int
	// TrimInterval is how often the store drops its mapping of the file's
	// pages (trim.go; default DefaultTrimInterval, negative for never).
	TrimInterval time.Duration
}

func (o Options) withDefaults() Options {
	if o.LockTimeout <= 0 {
		o.LockTimeout = DefaultLockTimeout
	}
	if o.QuietPeriod <= 0 {
		o.QuietPeriod = DefaultQuietPeriod
	}
	if o.MaxBatchDelay <= 0 {
		o.MaxBatchDelay = DefaultMaxBatchDelay
	}
	if o.MaxBatchSize <= 0 {
		o.MaxBatchSize = DefaultMaxBatchSize
	}
	if o.TrimInterval == 0 {
		o.TrimInterval = DefaultTrimInterval
	}
	return o
}

// Store is a storage.Store and a storage.ACME in one bbolt file. Safe for
// concurrent use.
type Store struct {
	db      *bolt.DB
	path    string
	commits *groupCommit // see batch.go

	stopTrim chan struct{} // closed by Close; nil when not trimming
	trimDone chan struct{}
	// acmeStore provides storage.ACME's methods over this store (acme.go).
	*acmeStore
}

// Open opens the database at path, creating it (mode 0600) and its parent
// directory (0700) when missing. It fails with an error wrapping
// storage.ErrLocked when another process holds the file.
func Open(path string, opts Options) (*Store, error) {
	if path == "" {
		return nil, errors.New("bolt: empty database path")
	}
	opts = opts.withDefaults()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("bolt: create database directory: %w", err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{
		Timeout: opts.LockTimeout,
		// NoSync stays false: a certificate a client received must be on
		// disk (invariant I1). The freelist is synced too (bbolt's default),
		// trading a little write volume for fast opens of large files.
	})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("bolt: %s is in use by another stride-ca process (waited %v): %w",
			path, opts.LockTimeout, storage.ErrLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("bolt: open %s: %w", path, err)
	}
	if err := initSchema(db); err != nil {
		db.Close()
		return nil, fmt.Errorf("bolt: %s: %w", path, err)
	}
	s := &Store{db: db, path: path, commits: newGroupCommit(db, opts)}
	s.acmeStore = acmekv.New(acmeBackend{s})
	if opts.TrimInterval > 0 {
		s.stopTrim, s.trimDone = make(chan struct{}), make(chan struct{})
		go s.trimLoop(opts.TrimInterval, s.stopTrim, s.trimDone)
	}
	return s, nil
}

// initSchema creates the buckets of a new file and refuses a file written
// by a schema this code does not know.
func initSchema(db *bolt.DB) error {
	return db.Update(func(tx *bolt.Tx) error {
		// ACME's buckets came after schema 1's first files; creating them
		// when missing is all an older file needs.
		for _, name := range slices.Concat(allBuckets, acmeBuckets[:]) {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("create bucket %s: %w", name, err)
			}
		}
		meta := tx.Bucket(bucketMeta)
		switch v := meta.Get(keySchema); {
		case v == nil:
			return meta.Put(keySchema, schemaVersion)
		case string(v) != string(schemaVersion):
			return fmt.Errorf("unsupported schema version %q (this build reads %q)", v, schemaVersion)
		}
		return nil
	})
}

// Path returns the database file's path.
func (s *Store) Path() string { return s.path }

// Close waits for running transactions and releases the file and its lock.
func (s *Store) Close() error {
	if s.stopTrim != nil {
		close(s.stopTrim)
		<-s.trimDone
		s.stopTrim = nil
	}
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("bolt: close %s: %w", s.path, err)
	}
	return nil
}

func checkSerial(serial string) error {
	switch {
	case serial == "":
		return errEmptySerial
	case len(serial) > maxKeyLen:
		return errSerialTooLong
	}
	return nil
}

func checkToken(tok *storage.UsedToken) error {
	switch {
	case tok == nil:
		return nil
	case tok.ID == "":
		return errEmptyTokenID
	case len(tok.ID) > maxKeyLen:
		return errTokenIDTooLong
	}
	return nil
}

// indexKey is an index entry: a time key, then the row's key.
func indexKey(t time.Time, key string) []byte {
	return append(codec.AppendTime(make([]byte, 0, codec.TimeLen+len(key)), t), key...)
}
