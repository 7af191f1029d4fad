package badger

import (
	"context"
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"github.com/stride-pki/stride/internal/storage"
	"github.com/stride-pki/stride/internal/storage/codec"
)

// ListRevocations implements storage.Records: the 'r' keys in byte order.
func (s *Store) ListRevocations(ctx context.Context, cursor string, limit int) ([]storage.Revocation, string, error) {
	var out []storage.Revocation
	next, err := s.scan(ctx, kindRevocation, cursor, limit, func(id string, v []byte) error {
		rev, err := codec.DecodeRevocation(id, v)
		if err == nil {
			out = append(out, *rev)
		}
		return err
	})
	if err != nil {
		return nil, "", fmt.Errorf("badger: list revocations: %w", err)
	}
	return out, next, nil
}

// ListTokens implements storage.Records: the 't' keys in byte order.
func (s *Store) ListTokens(ctx context.Context, cursor string, limit int) ([]storage.UsedToken, string, error) {
	var out []storage.UsedToken
	next, err := s.scan(ctx, kindToken, cursor, limit, func(id string, v []byte) error {
		tok, err := codec.DecodeToken(id, v)
		if err == nil {
			out = append(out, tok)
		}
		return err
	})
	if err != nil {
		return nil, "", fmt.Errorf("badger: list tokens: %w", err)
	}
	return out, next, nil
}

// scan calls fn for up to limit rows of kind after cursor, in one read
// transaction, and returns the last key passed to fn when more follow.
func (s *Store) scan(ctx context.Context, kind byte, cursor string, limit int, fn func(id string, v []byte) error) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	next := ""
	err := s.db.View(func(txn *badger.Txn) error {
		opts := badger.DefaultIteratorOptions
		opts.Prefix = []byte{kind}
		it := txn.NewIterator(opts)
		defer it.Close()
		start := rowKey(kind, cursor)
		if cursor != "" {
			start = append(start, 0)
		}
		n, last := 0, ""
		for it.Seek(start); it.Valid(); it.Next() {
			if n++; n%ctxCheckEvery == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			if limit > 0 && n > limit {
				next = last
				return nil
			}
			last = string(it.Item().Key()[1:])
			if err := it.Item().Value(func(v []byte) error { return fn(last, v) }); err != nil {
				return err
			}
		}
		return nil
	})
	return next, err
}
