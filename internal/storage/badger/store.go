package badger

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/stride-pki/stride/internal/storage"
	"github.com/stride-pki/stride/internal/storage/codec"
)

// RecordIssuance implements storage.Certificates.
func (s *Store) RecordIssuance(ctx context.Context, cert storage.Certificate, tok *storage.UsedToken) error {
	if err := checkSerial(cert.Serial); err != nil {
		return err
	}
	if err := checkToken(tok); err != nil {
		return err
	}
	// Encode outside the transaction: the writer runs a batch's functions one
	// after another, and may run them more than once.
	key, val := certKey(cert.Serial), codec.EncodeCertificate(&cert)
	idx := certExpiryKey(cert.NotAfter, cert.Serial)
	return s.write(ctx, func(txn *badger.Txn) (error, error) {
		if used, err := tokenUsed(txn, tok); used != nil || err != nil {
			return used, err
		}
		switch found, err := exists(txn, key); {
		case err != nil:
			return nil, err
		case found:
			return fmt.Errorf("certificate %s: %w", cert.Serial, storage.ErrConflict), nil
		}
		if err := putCert(txn, key, val, idx); err != nil {
			return nil, err
		}
		return nil, putToken(txn, tok)
	})
}

// putCert stores a certificate's record val under key and its expiry index
// entry idx (RecordIssuance and FinalizeACMEOrder).
func putCert(txn *badger.Txn, key, val, idx []byte) error {
	if err := txn.Set(key, val); err != nil {
		return err
	}
	return txn.Set(idx, nil)
}

// Certificate implements storage.Certificates.
func (s *Store) Certificate(ctx context.Context, serial string) (*storage.Certificate, error) {
	var cert *storage.Certificate
	err := s.view(ctx, certKey(serial), func(v []byte) (err error) {
		cert, err = codec.DecodeCertificate(serial, v)
		return err
	})
	if errors.Is(err, storage.ErrNotFound) {
		return nil, fmt.Errorf("certificate %s: %w", serial, err)
	}
	return cert, err
}

// Revoke implements storage.Revocations.
func (s *Store) Revoke(ctx context.Context, rev storage.Revocation, tok *storage.UsedToken) error {
	if err := checkSerial(rev.Serial); err != nil {
		return err
	}
	if err := checkToken(tok); err != nil {
		return err
	}
	key, val := revocationKey(rev.Serial), codec.EncodeRevocation(&rev)
	return s.write(ctx, func(txn *badger.Txn) (error, error) {
		if used, err := tokenUsed(txn, tok); used != nil || err != nil {
			return used, err
		}
		switch found, err := exists(txn, key); {
		case err != nil:
			return nil, err
		case found:
			return fmt.Errorf("serial %s: %w", rev.Serial, storage.ErrAlreadyRevoked), nil
		}
		if err := txn.Set(key, val); err != nil {
			return nil, err
		}
		return nil, putToken(txn, tok)
	})
}

// Revocation implements storage.Revocations.
func (s *Store) Revocation(ctx context.Context, serial string) (*storage.Revocation, error) {
	var rev *storage.Revocation
	err := s.view(ctx, revocationKey(serial), func(v []byte) (err error) {
		rev, err = codec.DecodeRevocation(serial, v)
		return err
	})
	if errors.Is(err, storage.ErrNotFound) {
		return nil, fmt.Errorf("revocation of %s: %w", serial, err)
	}
	return rev, err
}

// view passes the value of key to decode inside a read-only transaction
// (the value is valid only there), or returns storage.ErrNotFound.
func (s *Store) view(ctx context.Context, key []byte, decode func(v []byte) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(key)
		if errors.Is(err, badger.ErrKeyNotFound) {
			return storage.ErrNotFound
		}
		if err != nil {
			return err
		}
		return item.Value(decode)
	})
}

// UseToken implements storage.Tokens.
func (s *Store) UseToken(ctx context.Context, tok storage.UsedToken) error {
	if err := checkToken(&tok); err != nil {
		return err
	}
	return s.write(ctx, func(txn *badger.Txn) (error, error) {
		if used, err := tokenUsed(txn, &tok); used != nil || err != nil {
			return used, err
		}
		return nil, putToken(txn, &tok)
	})
}

// tokenUsed returns an ErrTokenUsed error as used when tok (if any) is
// stored, and a Badger failure as err. The read is what makes a concurrent
// use of the same token conflict.
func tokenUsed(txn *badger.Txn, tok *storage.UsedToken) (used, err error) {
	if tok == nil {
		return nil, nil
	}
	found, err := exists(txn, tokenKey(tok.ID))
	if found {
		used = fmt.Errorf("token %q: %w", tok.ID, storage.ErrTokenUsed)
	}
	return used, err
}

// putToken stores tok (if any) and, when it has an expiry, its index
// entry. A token without one gets an empty value and no index entry, so
// PurgeTokens never finds it.
func putToken(txn *badger.Txn, tok *storage.UsedToken) error {
	if tok == nil {
		return nil
	}
	if tok.ExpiresAt.IsZero() {
		return txn.Set(tokenKey(tok.ID), nil)
	}
	if err := txn.Set(tokenKey(tok.ID), codec.TimeKey(tok.ExpiresAt)); err != nil {
		return err
	}
	return txn.Set(tokenExpiryKey(tok.ExpiresAt, tok.ID), nil)
}

// Purge transactions stay small: at most purgeChunk tokens and about
// purgeBytes of keys each, well inside Badger's transaction limit (15% of
// a memtable), so a backlog is purged in steps between issuances.
const (
	purgeChunk = 1000
	purgeBytes = 256 << 10
)

// PurgeTokens implements storage.Tokens. It is a periodic job and runs its
// own transactions beside the writer's batches (a conflict between the two
// re-runs the loser).
func (s *Store) PurgeTokens(ctx context.Context, before time.Time) (int, error) {
	cut := codec.TimeKey(before)
	total := 0
	for {
		var n int
		var more bool
		err := s.update(ctx, func(txn *badger.Txn) (err error) {
			n, more, err = purgeSome(txn, cut)
			return err
		})
		if err != nil {
			return total, fmt.Errorf("badger: purge tokens: %w", err)
		}
		total += n
		if !more {
			return total, nil
		}
	}
}

// purgeSome deletes the first expired tokens in the expiry index (those
// whose time key sorts before cut) and their index entries, within the
// chunk limits; more says whether it stopped at a limit.
func purgeSome(txn *badger.Txn, cut []byte) (n int, more bool, err error) {
	keys, more := expiredIndexKeys(txn, cut)
	for _, k := range keys {
		id := string(k[1+codec.TimeLen:])
		deleted, err := deleteTokenIf(txn, id, k[1:1+codec.TimeLen])
		if err != nil {
			return 0, false, err
		}
		if deleted {
			n++
		}
		if err := txn.Delete(k); err != nil {
			return 0, false, err
		}
	}
	return n, more, nil
}

// expiredIndexKeys returns copies of the token-expiry index keys before
// cut, in order, up to the chunk limits.
func expiredIndexKeys(txn *badger.Txn, cut []byte) (keys [][]byte, more bool) {
	prefix := []byte{kindTokenByExp}
	it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
	defer it.Close()
	size := 0
	for it.Seek(prefix); it.ValidForPrefix(prefix); it.Next() {
		k := it.Item().Key()
		if len(k) < 1+codec.TimeLen || bytes.Compare(k[1:1+codec.TimeLen], cut) >= 0 {
			return keys, false
		}
		if len(keys) == purgeChunk || size >= purgeBytes {
			return keys, true
		}
		keys = append(keys, it.Item().KeyCopy(nil))
		size += len(k)
	}
	return keys, false
}

// deleteTokenIf deletes the token id when its stored expiry is exp, the
// index entry's; a token stored again since (with another expiry) stays.
func deleteTokenIf(txn *badger.Txn, id string, exp []byte) (bool, error) {
	key := tokenKey(id)
	item, err := txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	v, err := item.ValueCopy(nil)
	if err != nil || !bytes.Equal(v, exp) {
		return false, err
	}
	return true, txn.Delete(key)
}
