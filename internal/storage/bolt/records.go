package bolt

import (
	"bytes"
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/stride-pki/stride/internal/storage"
	"github.com/stride-pki/stride/internal/storage/codec"
)

// ListRevocations implements storage.Records: the revocations bucket in
// byte order.
func (s *Store) ListRevocations(ctx context.Context, cursor string, limit int) ([]storage.Revocation, string, error) {
	var out []storage.Revocation
	next, err := s.scan(ctx, bucketRevocations, cursor, limit, func(id string, v []byte) error {
		rev, err := codec.DecodeRevocation(id, v)
		if err == nil {
			out = append(out, *rev)
		}
		return err
	})
	if err != nil {
		return nil, "", fmt.Errorf("bolt: list revocations: %w", err)
	}
	return out, next, nil
}

// ListTokens implements storage.Records: the tokens bucket in byte order.
func (s *Store) ListTokens(ctx context.Context, cursor string, limit int) ([]storage.UsedToken, string, error) {
	var out []storage.UsedToken
	next, err := s.scan(ctx, bucketTokens, cursor, limit, func(id string, v []byte) error {
		tok, err := codec.DecodeToken(id, v)
		if err == nil {
			out = append(out, tok)
		}
		return err
	})
	if err != nil {
		return nil, "", fmt.Errorf("bolt: list tokens: %w", err)
	}
	return out, next, nil
}

// scan calls fn for up to limit keys of bucket after cursor, in one read
// transaction, and returns the last key passed to fn when more follow.
func (s *Store) scan(ctx context.Context, bucket []byte, cursor string, limit int, fn func(id string, v []byte) error) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	next := ""
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucket).Cursor()
		k, v := c.Seek([]byte(cursor))
		if k != nil && cursor != "" && bytes.Equal(k, []byte(cursor)) {
			k, v = c.Next()
		}
		n, last := 0, ""
		for ; k != nil; k, v = c.Next() {
			if n++; n%ctxCheckEvery == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			if limit > 0 && n > limit {
				next = last
				return nil
			}
			last = string(k)
			if err := fn(last, v); err != nil {
				return err
			}
		}
		return nil
	})
	return next, err
}
