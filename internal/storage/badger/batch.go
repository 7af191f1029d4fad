package badger

import (
	"context"
	"errors"

	"github.com/dgraph-io/badger/v4"
)

// Group commit. With SyncWrites, Badger syncs its write-ahead log once per
// committed transaction, even when its write loop handles many at once, so
// one transaction per caller caps a busy CA at roughly one issuance per
// fsync. Instead every write goes to one writer goroutine, which runs all
// the writes waiting for it in a single transaction: one commit, one set of
// syncs, however many callers. Nothing waits on a timer: a lone write
// commits at once, and writes that arrive while a commit is syncing form
// the next batch, so batches grow with the load and the fsync latency.
//
// Per-caller outcomes. Each caller's function checks its preconditions
// (token unused, serial new) before it writes, seeing the writes of those
// before it in the batch, and returns a sentinel as its outcome when one
// fails: that caller's answer, with nothing written. Only a Badger error
// aborts the transaction; the batch is then re-run one caller per
// transaction so that the error reaches only the caller it belongs to. A
// conflicting commit (with PurgeTokens) re-runs the whole batch, and each
// function decides afresh against what that run sees.

// maxBatch bounds one transaction: some 250 bytes of keys and small values
// per issuance keep it far below Badger's limit (15% of memTableSize).
const maxBatch = 512

// errClosed answers a write that raced with Close.
var errClosed = errors.New("badger: store is closed")

// writeFunc performs one caller's write in txn. It returns the caller's
// outcome (nil, or a sentinel meaning nothing was written) and, separately,
// an error that must abort the transaction.
type writeFunc func(txn *badger.Txn) (outcome, err error)

// writeReq is one caller's write on its way through the writer.
type writeReq struct {
	ctx     context.Context
	fn      writeFunc
	outcome error
	done    chan struct{} // closed when outcome is final
}

// write hands fn to the writer and returns its outcome once the
// transaction that ran it is durable. A ctx done before the writer takes
// the write returns ctx.Err() with nothing written; once taken, the write
// is waited for (one commit).
func (s *Store) write(ctx context.Context, fn writeFunc) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r := &writeReq{ctx: ctx, fn: fn, done: make(chan struct{})}
	select {
	case s.writes <- r:
	case <-ctx.Done():
		return ctx.Err()
	case <-s.stop:
		return errClosed
	}
	<-r.done
	return r.outcome
}

// writeLoop commits batches of waiting writes until Close closes s.stop.
func (s *Store) writeLoop() {
	defer close(s.writerDone)
	for {
		var first *writeReq
		select {
		case first = <-s.writes:
		case <-s.stop:
			return
		}
		batch := []*writeReq{first}
	gather:
		for len(batch) < maxBatch {
			select {
			case r := <-s.writes:
				batch = append(batch, r)
			default:
				break gather
			}
		}
		s.commitBatch(batch)
	}
}

// commitBatch runs batch in one transaction and settles every outcome.
func (s *Store) commitBatch(batch []*writeReq) {
	err := s.update(context.Background(), func(txn *badger.Txn) error {
		for _, r := range batch {
			// A caller whose ctx ended before its write ran gets ctx.Err()
			// and writes nothing; this is decided again on every attempt.
			if r.outcome = r.ctx.Err(); r.outcome != nil {
				continue
			}
			o, err := r.fn(txn)
			if err != nil {
				return err
			}
			r.outcome = o
		}
		return nil
	})
	if err != nil && len(batch) > 1 {
		for _, r := range batch {
			s.commitBatch([]*writeReq{r})
		}
		return
	}
	for _, r := range batch {
		if err != nil {
			r.outcome = err
		}
		close(r.done)
	}
}
