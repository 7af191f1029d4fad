package bolt

import (
	"time"
)

// Why the store trims its mapping of the database file: bbolt reads pages
// through a shared, read-only mmap of the file, and every page a lookup or
// an insert touches stays mapped into the process (the kernel maps up to 16
// neighbours with it). Under steady issuance, copy-on-write moves the pages
// it rewrites to new places in the file, so the mapped set grows with
// everything ever written: bench/sign measured stride-ca's RSS at 91 MB after
// 45,000 certificates, 42 MB of it mapped file pages and 16 MB its own heap.
// Those pages are the kernel's page cache, not memory the process owns, but
// RSS (and a reader of it) cannot tell. Dropping the mapping every
// TrimInterval (50 ms: at 250 ms the random leaves of the tokens bucket, each
// mapped with its 64 KB neighbourhood, still put 10-30 MB back in between and
// RSS peaked at 67 MB; at 50 ms it peaked at 52.5 MB over the same 45,000
// certificates; a trim costs about 0.36 µs per mapped page, BenchmarkTrimMapping:
// 0.73 ms for 8 MB, so some 3-6 µs per certificate at c = 32) (madvise MADV_DONTNEED on a shared file mapping drops page
// table entries, never data) keeps RSS to the heap plus what the last
// interval touched; the next access to a dropped page is a minor fault that
// maps it again from the page cache.
//
// Safety: the madvise runs inside a read transaction, which holds bbolt's
// mmap lock for reading, so bbolt cannot unmap or remap the file (it takes
// that lock for writing) while the range is advised; the range is the
// transaction's view of the file, never beyond the mapping.

// trimLoop trims the mapping every interval until stop is closed.
func (s *Store) trimLoop(interval time.Duration, stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			_ = s.trimMapping() // a failed trim costs memory, not data
		}
	}
}

// trimMapping drops the process's mapping of the database file's pages.
func (s *Store) trimMapping() error {
	tx, err := s.db.Begin(false)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return dropMapping(s.db.Info().Data, tx.Size())
}
