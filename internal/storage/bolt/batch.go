package bolt

import (
	"context"
	"sync/atomic"

	bolt "go.etcd.io/bbolt"
)

// Group commit. Every write goes through bbolt's DB.Batch: calls arriving
// within MaxBatchDelay of each other run one after another inside a single
// read-write transaction and share its one fsync. Each still returns only
// once that transaction is on disk, so invariant I1 holds per certificate.
//
// Why 4 ms and 1000: the delay bounds how long a busy CA collects callers
// (a lone write does not wait, see below). A commit is CPU as well as disk:
// two fdatasyncs, and bbolt materialising and rewriting every page it
// touches (the token index's page is a random one), about 0.25 ms of CPU on
// the 2-core development machine. At 2 ms a CPU-bound CA at c=32 still
// committed every 2-3 certificates (~0.4 commits each, counted with
// strace), a sixth of its CPU per certificate; at 4 ms, bench/sign at c=32
// measured 0.586-0.622 ms of server CPU per certificate against
// 0.610-0.766 ms at 2 ms (four runs each, interleaved), for at most 2 ms
// more on a batched write's latency, small beside the queueing of 32
// concurrent requests on two cores. The size cap only keeps one
// transaction (and its dirty pages) bounded under a burst; a batch that
// reaches it starts at once.
//
// No wait when alone: a write that finds no other write in flight commits at
// once with DB.Update, so an idle CA answers after one commit instead of one
// commit plus MaxBatchDelay. Writes that arrive while another is in flight
// join a batch, which is where the throughput comes from. Two callers that
// both think they are alone simply commit one after the other.
//
// Per-caller outcomes. bbolt fails the whole batch when one function returns
// an error, then re-runs the others together and the failed one alone. A
// replayed token or a duplicate serial is an expected answer for one caller,
// not a failure of the batch, so our functions return nil for it and leave
// the sentinel in the caller's own outcome variable; they check every
// precondition before they write, so an outcome other than nil means nothing
// was written. Only real failures (a bbolt error) are returned to bbolt, and
// because any batch may be rolled back and re-run, a function resets its
// outcome and decides afresh each time it runs: it is idempotent against the
// transaction it sees.

// inflight counts writes between entering write and their commit.
type inflight = atomic.Int64

// writeFunc performs one caller's write in tx. It returns the caller's
// outcome (nil, or a sentinel meaning nothing was written) and, separately,
// an error that must abort the transaction.
type writeFunc func(tx *bolt.Tx) (outcome, err error)

// write runs fn in a group-committed transaction and returns fn's outcome
// once the transaction is durable, or the error that failed it. A ctx that
// is done before fn runs makes fn a no-op returning ctx.Err(); once fn has
// run, the call waits for the commit (a few milliseconds) instead of
// abandoning a write that may become durable.
func (s *Store) write(ctx context.Context, fn writeFunc) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	run := s.db.Batch
	if s.inflight.Add(1) == 1 {
		run = s.db.Update
	}
	defer s.inflight.Add(-1)
	var outcome error
	err := run(func(tx *bolt.Tx) error {
		outcome = ctx.Err()
		if outcome != nil {
			return nil
		}
		o, err := fn(tx)
		if err != nil {
			outcome = nil
			return err
		}
		outcome = o
		return nil
	})
	if err != nil {
		return err
	}
	return outcome
}
