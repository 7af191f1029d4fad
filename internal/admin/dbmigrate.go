package admin

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/stride-pki/stride/internal/config"
	"github.com/stride-pki/stride/internal/storage"
	"github.com/stride-pki/stride/internal/storage/open"
)

// Database is a CA's store opened for `stride ca db …`: export, import and
// migration, offline. The CLI sees this type, never a storage one.
type Database struct {
	store storage.Store
}

// NewDatabase wraps an open store (tests; the CLI uses OpenDatabase).
func NewDatabase(store storage.Store) *Database { return &Database{store: store} }

// OpenDatabase opens the database db describes; base resolves a relative
// bbolt or Badger path (as for ca.json, $STRIDEPATH). An embedded database
// held by a running stride-ca fails with an error wrapping
// storage.ErrLocked.
func OpenDatabase(db *config.DB, base string) (*Database, error) {
	store, err := open.FromConfig(&config.CAConfig{DB: db}, base)
	if err != nil {
		if errors.Is(err, storage.ErrLocked) {
			return nil, fmt.Errorf("%w (stop stride-ca first)", err)
		}
		return nil, err
	}
	return &Database{store: store}, nil
}

// Close closes the database.
func (d *Database) Close() error { return d.store.Close() }

// Export writes every record to w in the export format (see ExportFormat).
func (d *Database) Export(ctx context.Context, w io.Writer) (RecordCounts, error) {
	return Export(ctx, d.store, w)
}

// Import reads an export file into the database (see Import).
func (d *Database) Import(ctx context.Context, r io.ReadSeeker, progress Progress) (ImportResult, error) {
	return Import(ctx, d.store, r, progress)
}

// Counts counts the database's records of each kind.
func (d *Database) Counts(ctx context.Context) (RecordCounts, error) {
	return countRecords(ctx, d.store)
}

// Migrate copies every record of from into to, as an export piped into an
// import (without the file): records to has already count as Existing, so
// an interrupted migration resumes when run again. It counts both sides
// first and, at the end, verifies the counts: every source record was read
// and the target grew by exactly the records written. from must not change
// meanwhile (stop the CA).
func Migrate(ctx context.Context, from, to *Database, progress Progress) (ImportResult, error) {
	var res ImportResult
	total, err := countRecords(ctx, from.store)
	if err != nil {
		return res, fmt.Errorf("count the source: %w", err)
	}
	before, err := countRecords(ctx, to.store)
	if err != nil {
		return res, fmt.Errorf("count the target: %w", err)
	}
	err = walkRecords(ctx, from.store, func(rec any) error {
		return importRecord(ctx, to.store, rec, &res, total.Total(), progress)
	})
	if progress != nil {
		progress(res, total.Total())
	}
	if err != nil {
		return res, err
	}
	after, err := countRecords(ctx, to.store)
	if err != nil {
		return res, fmt.Errorf("count the target: %w", err)
	}
	return res, verifyCounts(total, before, after, res)
}

// verifyCounts checks a migration's result against the counts taken
// before and after it.
func verifyCounts(total, before, after RecordCounts, res ImportResult) error {
	if res.Read != total {
		return fmt.Errorf("verify: read %s, but the source holds %s (did it change during the migration?)", res.Read, total)
	}
	want := before.plus(res.Written)
	if after != want {
		return fmt.Errorf("verify: the target holds %s, want %s (%s before, %s written)", after, want, before, res.Written)
	}
	return nil
}
