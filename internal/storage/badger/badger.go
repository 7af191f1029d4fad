// Package badger is the Badger (v4) storage backend, for `db.type` badger,
// badgerv1 and badgerv2 in a step-ca ca.json. It keeps one directory that
// one process at a time may open.
//
// The on-disk format is Stride's own (the key layout in keys.go and the
// records of package codec), not step-ca's: step-ca's Badger v1/v2
// directories hold nosql buckets of JSON and cannot be opened by this
// package, and this package's directories cannot be opened by step-ca.
// `stride ca db import` reads step's databases and writes them here.
//
// Durability: SyncWrites is on (Badger v4's default is off), so a
// transaction is synced before the call that wrote it returns (invariant
// I1). Concurrent writes share one transaction and its syncs (group commit,
// see batch.go).
//
// Concurrency: Badger transactions are optimistic. Each use case reads the
// keys that decide it (the token, the serial) before it writes; a commit
// that raced with another one touching the same keys fails with
// badger.ErrConflict and is re-run a bounded number of times (txn.go), and
// the re-run reads the winner's write and answers with the contract's
// sentinel.
//
// Disk: see gc.go for why the value log cannot grow without bound here
// (step-ca #159) and the collector that runs while the store is open.
package badger

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"

	"github.com/stride-pki/stride/internal/storage"
	"github.com/stride-pki/stride/internal/storage/acmekv"
)

var _ storage.Store = (*Store)(nil)

// Defaults for Options.
const (
	// DefaultGCInterval is how often the value-log collector runs.
	DefaultGCInterval = 5 * time.Minute
	// DefaultGCDiscardRatio: a value-log file is rewritten once at least
	// half of it is garbage, so the log stays within about twice its live
	// data while a rewrite moves at most as much as it frees.
	DefaultGCDiscardRatio = 0.5
)

// Memory. The CA's resident set should stay in the tens of megabytes, so
// every Badger buffer whose default is sized for a large server is cut
// down; what a CA writes (a few KB per issuance) does not need them.
// Measured after 192,000 issuances from 64 writers: 21 MiB of Go heap in
// use, 46 MB of anonymous resident memory. Badger memory-maps its table and
// value-log files, so pages it wrote or read also count as (file-backed,
// reclaimable) resident memory, up to the size of the data touched.
const (
	// memTableSize: Badger's default is 64 MiB per memtable. 8 MiB holds
	// some 50,000 issuances' keys and small values before a flush; it also
	// caps one transaction at 15% of it (1.2 MiB), far above ours.
	memTableSize = 8 << 20
	// numMemtables: one being written and one being flushed (default 5).
	numMemtables = 2
	// blockCacheSize: 8 MiB of decoded LSM blocks (default 256 MiB).
	// Lookups of recent serials and tokens hit it; older ones read the
	// memory-mapped tables through the OS page cache.
	blockCacheSize = 8 << 20
	// indexCacheSize: table indexes and Bloom filters live in an 8 MiB
	// cache instead of all on the heap (Badger's default, 0, keeps every
	// table's index in memory, which grows with the database).
	indexCacheSize = 8 << 20
	// valueThreshold: values of at least 256 bytes (certificate records)
	// go to the value log, written once; tokens, indexes and most
	// revocations stay in the LSM tree. A small LSM tree is what keeps
	// compaction cheap and the indexes small (default 1 MiB, i.e. all
	// values in the tree, rewritten by every compaction level).
	valueThreshold = 256
	// valueLogFileSize: 64 MiB files (default 1 GiB) so the collector,
	// which rewrites whole files, can reclaim space in small steps.
	valueLogFileSize = 64 << 20
	// numCompactors: Badger's minimum (default 4); a CA writes little.
	numCompactors = 2
)

// Options tunes a Store; the zero value takes the defaults.
type Options struct {
	// Logger receives Badger's warnings and errors (never its info or
	// debug chatter); nil discards them.
	Logger *slog.Logger
	// GCInterval is how often the value-log collector runs (default
	// DefaultGCInterval).
	GCInterval time.Duration
	// GCDiscardRatio is the share of garbage in a value-log file above
	// which the collector rewrites it, in (0, 1) (default
	// DefaultGCDiscardRatio).
	GCDiscardRatio float64

	// vlogFileSize overrides valueLogFileSize (tests only).
	vlogFileSize int64
}

func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.GCInterval <= 0 {
		o.GCInterval = DefaultGCInterval
	}
	if o.GCDiscardRatio <= 0 || o.GCDiscardRatio >= 1 {
		o.GCDiscardRatio = DefaultGCDiscardRatio
	}
	if o.vlogFileSize <= 0 {
		o.vlogFileSize = valueLogFileSize
	}
	return o
}

// Store is a storage.Store in one Badger directory. Safe for concurrent use.
type Store struct {
	db  *badger.DB
	dir string
	log *slog.Logger

	writes     chan *writeReq // to the writer (see batch.go)
	stop       chan struct{}  // closed by Close: the writer and collector return
	writerDone chan struct{}  // closed when the writer has returned
	gcDone     chan struct{}  // closed when the collector has returned
	gcRuns     atomic.Int64   // collection runs so far (for tests)
	closeOnce  sync.Once
	closeErr   error

	// acmeStore provides storage.ACME's methods over this store (acme.go).
	*acmeStore
}

// Open opens the database in dir, creating dir (mode 0700) when missing,
// and starts its value-log collector. It fails at once with an error
// wrapping storage.ErrLocked when another process (or another Store in this
// one) has the directory open.
func Open(dir string, opts Options) (*Store, error) {
	if dir == "" {
		return nil, errors.New("badger: empty database directory")
	}
	opts = opts.withDefaults()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("badger: create database directory: %w", err)
	}
	db, err := badger.Open(badgerOptions(dir, opts))
	if isLocked(err) {
		return nil, fmt.Errorf("badger: %s is in use by another stride-ca process: %w", dir, storage.ErrLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("badger: open %s: %w", dir, err)
	}
	if err := initSchema(db); err != nil {
		db.Close()
		return nil, fmt.Errorf("badger: %s: %w", dir, err)
	}
	s := &Store{
		db: db, dir: dir, log: opts.Logger,
		writes: make(chan *writeReq),
		stop:   make(chan struct{}), writerDone: make(chan struct{}), gcDone: make(chan struct{}),
	}
	s.acmeStore = acmekv.New(acmeBackend{s})
	go s.writeLoop()
	go s.collectLoop(opts.GCInterval, opts.GCDiscardRatio)
	return s, nil
}

// badgerOptions are Badger's options for dir; see the constants above.
func badgerOptions(dir string, o Options) badger.Options {
	return badger.DefaultOptions(dir).
		WithSyncWrites(true).
		WithDetectConflicts(true). // the default, and what txn.go relies on
		WithLogger(slogLogger{o.Logger}).
		WithMetricsEnabled(false). // process-global expvars we do not export
		WithMemTableSize(memTableSize).
		WithNumMemtables(numMemtables).
		WithBlockCacheSize(blockCacheSize).
		WithIndexCacheSize(indexCacheSize).
		WithValueThreshold(valueThreshold).
		WithValueLogFileSize(o.vlogFileSize).
		WithNumCompactors(numCompactors).
		// LSM values are small keys and records; certificates, the bulk,
		// sit in the value log, which Badger never compresses.
		WithCompression(options.None)
}

// isLocked reports whether err is Badger's refusal of a directory whose
// lock file another handle holds. Badger formats that error rather than
// wrapping it, so its wording is the only signal; TestOpenLocked* notice
// if an upgrade changes it.
func isLocked(err error) bool {
	return err != nil && strings.Contains(err.Error(), "Another process is using this Badger database")
}

// initSchema marks a new database with the schema version and refuses one
// written by a schema this code does not know.
func initSchema(db *badger.DB) error {
	return db.Update(func(txn *badger.Txn) error {
		item, err := txn.Get(keySchema)
		if errors.Is(err, badger.ErrKeyNotFound) {
			return txn.Set(keySchema, schemaVersion)
		}
		if err != nil {
			return fmt.Errorf("read schema version: %w", err)
		}
		v, err := item.ValueCopy(nil)
		if err != nil {
			return fmt.Errorf("read schema version: %w", err)
		}
		if string(v) != string(schemaVersion) {
			return fmt.Errorf("unsupported schema version %q (this build reads %q)", v, schemaVersion)
		}
		return nil
	})
}

// Dir returns the database directory.
func (s *Store) Dir() string { return s.dir }

// Close stops the writer (after the batch it is committing; writes racing
// with Close that it has not taken fail) and the value-log collector (after
// a rewrite in progress), then closes the database and releases its
// directory lock. Calls after the first return the first one's result.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		close(s.stop)
		<-s.writerDone
		<-s.gcDone
		if err := s.db.Close(); err != nil {
			s.closeErr = fmt.Errorf("badger: close %s: %w", s.dir, err)
		}
	})
	return s.closeErr
}

// slogLogger passes Badger's warnings and errors to slog and drops its
// info and debug lines, which report routine compactions and flushes.
type slogLogger struct{ l *slog.Logger }

func (s slogLogger) Errorf(format string, args ...any) {
	s.l.Error("badger: " + strings.TrimSpace(fmt.Sprintf(format, args...)))
}

func (s slogLogger) Warningf(format string, args ...any) {
	s.l.Warn("badger: " + strings.TrimSpace(fmt.Sprintf(format, args...)))
}

func (slogLogger) Infof(string, ...any)  {}
func (slogLogger) Debugf(string, ...any) {}
