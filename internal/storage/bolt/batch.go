package bolt

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Group commit. Writes that arrive close together run one after another
// inside a single read-write transaction and share its commit (two
// fdatasyncs and the rewrite of every page the transaction touched). Each
// still returns only once that transaction is on disk, so invariant I1
// holds per certificate.
//
// Why our own and not bbolt's DB.Batch: a commit costs CPU as well as disk
// (fdatasync's kernel work, one pwrite per dirty page, bbolt's spill), and
// DB.Batch closes a group on a fixed timer. A longer fixed timer groups more
// but stalls a CA whose few clients are all waiting in the group with
// nothing left to compute (c = 8). So a group here closes on whichever comes
// first:
//
//   - quiet: no write has joined for QuietPeriod (nobody else is coming soon;
//     with few clients this is reached as soon as they have all joined);
//   - full: MaxBatchSize writes have joined;
//   - late: MaxBatchDelay has passed since the first one joined (a bound on
//     what one write can wait while others keep trickling in);
//
// and then it still takes members until the group before it has committed.
//
// Why 1 ms and 10 ms: bench/sign at c = 32 on the 2-core development machine
// (n = 5000, two runs each, quiet machine) gave 0.10-0.11 commits per
// certificate with DB.Batch at 4 ms, and with quiet/late 0.5/2 ms 0.15,
// 1/4 ms 0.09-0.10, 1/10 ms 0.05-0.06, 2/20 ms 0.05. Server CPU per
// certificate fell with the commits (0.68-0.76 ms at 0.15, 0.63-0.72 at
// 0.05-0.06) and so did p99 (36-38 ms at 0.15, 28-33 ms at 1/10 ms): a commit
// saved is CPU given back to the requests queued behind it. 2/20 ms was no
// better than 1/10 ms, which bounds the wait lower.
//
// At saturation the waiting costs no throughput: while one group waits, the
// requests still computing keep the cores busy, and the latency a closed-loop
// client sees is set by throughput (Little's law), which fewer commits raise.
//
// No wait when alone: a write that finds no other write in flight commits at
// once with DB.Update, so an idle CA answers after one commit. Two callers
// that both think they are alone simply commit one after the other.
//
// Per-caller outcomes. A replayed token or a duplicate serial is an expected
// answer for one caller, not a failure of the group, so writeFuncs return it
// as their outcome and leave the transaction alone; they check every
// precondition before they write, so an outcome other than nil means nothing
// was written. Only real failures (a bbolt error, a panic) abort the
// transaction; then every member is re-run in a transaction of its own, so
// one bad write fails alone. Because a group may be rolled back and re-run, a
// writeFunc decides afresh each time it runs: it is idempotent against the
// transaction it sees.

// writeFunc performs one caller's write in tx. It returns the caller's
// outcome (nil, or a sentinel meaning nothing was written) and, separately,
// an error that must abort the transaction.
type writeFunc func(tx *bolt.Tx) (outcome, err error)

// groupCommit collects writes into groups; the zero value is not usable,
// see newGroupCommit.
type groupCommit struct {
	db       *bolt.DB
	quiet    time.Duration
	maxDelay time.Duration
	maxSize  int

	inflight atomic.Int64 // writes between entering write and their commit
	commitMu sync.Mutex   // one group commits at a time; the next keeps collecting

	mu   sync.Mutex
	open *group // the group collecting writes, nil when none
}

func newGroupCommit(db *bolt.DB, o Options) *groupCommit {
	return &groupCommit{db: db, quiet: o.QuietPeriod, maxDelay: o.MaxBatchDelay, maxSize: o.MaxBatchSize}
}

// group is one future transaction and its members.
type group struct {
	members  []*member
	first    time.Time     // when the first member joined
	last     time.Time     // when the latest member joined
	full     chan struct{} // closed when maxSize members have joined
	isClosed bool          // no more members may join (under groupCommit.mu)
}

// member is one caller's write and, once its group committed, its answer.
type member struct {
	ctx     context.Context
	fn      writeFunc
	outcome error
	done    chan struct{}
}

// write runs fn in a group-committed transaction and returns fn's outcome
// once the transaction is durable, or the error that failed it. A ctx that
// is done before fn runs makes fn a no-op returning ctx.Err(); once fn has
// run, the call waits for the commit (a few milliseconds) instead of
// abandoning a write that may become durable.
func (g *groupCommit) write(ctx context.Context, fn writeFunc) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	defer g.inflight.Add(-1)
	if g.inflight.Add(1) == 1 {
		return g.alone(ctx, fn)
	}
	m := &member{ctx: ctx, fn: fn, done: make(chan struct{})}
	g.join(m)
	<-m.done
	return m.outcome
}

// alone commits fn in a transaction of its own.
func (g *groupCommit) alone(ctx context.Context, fn writeFunc) error {
	m := &member{ctx: ctx, fn: fn}
	if err := g.db.Update(m.run); err != nil {
		return err
	}
	return m.outcome
}

// join adds m to the open group, opening one (and its committer) if none.
func (g *groupCommit) join(m *member) {
	now := time.Now()
	g.mu.Lock()
	defer g.mu.Unlock()
	grp := g.open
	if grp == nil {
		grp = &group{first: now, full: make(chan struct{})}
		g.open = grp
		go g.commitWhenClosed(grp)
	}
	grp.members = append(grp.members, m)
	grp.last = now
	if len(grp.members) >= g.maxSize {
		g.closeLocked(grp)
		close(grp.full)
	}
}

// closeLocked stops grp taking members; the next write opens a new group.
func (g *groupCommit) closeLocked(grp *group) {
	if grp.isClosed {
		return
	}
	grp.isClosed = true
	if g.open == grp {
		g.open = nil
	}
}

// commitWhenClosed waits until grp is quiet, full or late, then until the
// group before it has committed (grp keeps taking members meanwhile, so a
// slow commit makes the next group larger, not later), then commits it.
func (g *groupCommit) commitWhenClosed(grp *group) {
	g.waitUntilDue(grp)
	g.commitMu.Lock()
	defer g.commitMu.Unlock()
	g.mu.Lock()
	g.closeLocked(grp)
	members := grp.members
	g.mu.Unlock()
	g.commit(members)
}

// waitUntilDue returns once grp is full, quiet or late.
func (g *groupCommit) waitUntilDue(grp *group) {
	timer := time.NewTimer(g.quiet)
	defer timer.Stop()
	for {
		select {
		case <-grp.full:
			return
		case <-timer.C:
		}
		g.mu.Lock()
		now := time.Now()
		due := grp.last.Add(g.quiet)
		if late := grp.first.Add(g.maxDelay); late.Before(due) {
			due = late
		}
		closed := grp.isClosed
		g.mu.Unlock()
		if closed || !now.Before(due) {
			return
		}
		timer.Reset(due.Sub(now))
	}
}

// commit runs members in one transaction; if it fails, each member runs
// in a transaction of its own so that only the faulty one fails. Every
// member is answered.
func (g *groupCommit) commit(members []*member) {
	err := g.db.Update(func(tx *bolt.Tx) error {
		for _, m := range members {
			if err := m.run(tx); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		for _, m := range members {
			close(m.done)
		}
		return
	}
	for _, m := range members {
		if err := g.db.Update(m.run); err != nil {
			m.outcome = err
		}
		close(m.done)
	}
}

// run is m's write as a bbolt transaction function: the caller's outcome
// goes to m.outcome, a real failure (or a panic) is returned.
func (m *member) run(tx *bolt.Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			m.outcome = nil
			err = fmt.Errorf("bolt: write panicked: %v", p)
		}
	}()
	if m.outcome = m.ctx.Err(); m.outcome != nil {
		return nil
	}
	o, err := m.fn(tx)
	if err != nil {
		m.outcome = nil
		return err
	}
	m.outcome = o
	return nil
}

// write runs fn through the store's group commit (see groupCommit.write).
func (s *Store) write(ctx context.Context, fn writeFunc) error { return s.commits.write(ctx, fn) }
