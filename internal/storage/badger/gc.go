package badger

import (
	"errors"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// Value-log garbage collection (step-ca #159: a Badger value log that grew
// to 309 GB).
//
// Badger keeps values of valueThreshold bytes or more in append-only
// value-log files and everything else in its LSM tree. Compaction reclaims
// the tree's dead entries by itself, but a dead value in the value log
// stays on disk until its whole file is rewritten, which happens only when
// someone calls RunValueLogGC. step-ca's Badger v1/v2 stores put nearly
// every value in the log (a 32-byte threshold) and overwrite some keys on
// every request, which is how a log grows without bound.
//
// Here the log holds only certificate records (tokens, indexes and most
// revocations are smaller than the threshold and live in the tree), and
// certificates are insert-only, so it grows with the certificates issued,
// not with traffic. The collector is the guard for whatever does leave
// garbage there (a large revocation reason, later deletions of expired
// certificates): every GCInterval it asks Badger to rewrite the log file
// with the most garbage, as long as one has at least GCDiscardRatio of it,
// and repeats while Badger finds such files. Rewrites are bounded per run
// so that Close never waits long; small files (valueLogFileSize) keep each
// rewrite short. Badger learns how much of a file is garbage from its
// compactions, so space comes back some time after the deletes, not at
// once.

// maxRewritesPerRun bounds one collection run (one rewrite moves at most
// one value-log file's live data).
const maxRewritesPerRun = 16

// collectLoop runs collect every interval until Close closes s.stop.
func (s *Store) collectLoop(interval time.Duration, ratio float64) {
	defer close(s.gcDone)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			s.collect(ratio)
		}
	}
}

// collect rewrites value-log files while Badger finds one with at least
// ratio garbage, up to maxRewritesPerRun, and returns how many it
// rewrote. A failure is logged: the next run tries again.
func (s *Store) collect(ratio float64) int {
	defer s.gcRuns.Add(1)
	n := 0
	for n < maxRewritesPerRun {
		select {
		case <-s.stop:
			return n
		default:
		}
		err := s.db.RunValueLogGC(ratio)
		switch {
		case err == nil:
			n++
		case errors.Is(err, badger.ErrNoRewrite), errors.Is(err, badger.ErrRejected):
			return n // nothing worth rewriting, or a rewrite already running
		default:
			s.log.Warn("badger: value-log garbage collection failed", "dir", s.dir, "err", err)
			return n
		}
	}
	return n
}
