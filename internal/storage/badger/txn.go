package badger

import (
	"context"
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"
)

// maxAttempts bounds how often one transaction is run. A conflict means
// another commit wrote a key this one read (a token or serial that decides
// it), so the re-run reads that write and answers with a sentinel without
// committing: two attempts settle every race between the writes of this
// package. The slack is for Badger's conflict detection, which compares
// 64-bit key hashes and so may, very rarely, report a conflict between
// unrelated keys.
const maxAttempts = 8

// update runs fn in a read-write transaction and commits it, re-running
// both when the commit conflicts with another one. fn returning an error
// discards the transaction, and update returns that error as is. A ctx
// done before an attempt starts ends the call with ctx.Err() and nothing
// written; a commit in progress is waited for, as it may become durable.
// With SyncWrites a nil return means the transaction is on disk.
func (s *Store) update(ctx context.Context, fn func(txn *badger.Txn) error) error {
	var err error
	for range maxAttempts {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		err = s.db.Update(fn)
		if !errors.Is(err, badger.ErrConflict) {
			return err
		}
	}
	return fmt.Errorf("badger: transaction still conflicting after %d attempts: %w", maxAttempts, err)
}

// exists reports whether key is stored (or written earlier in txn), as a
// read the transaction's conflict detection tracks.
func exists(txn *badger.Txn, key []byte) (bool, error) {
	_, err := txn.Get(key)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, badger.ErrKeyNotFound):
		return false, nil
	}
	return false, err
}
