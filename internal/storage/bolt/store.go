package bolt

import (
	"bytes"
	"context"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/stride-pki/stride/internal/storage"
	"github.com/stride-pki/stride/internal/storage/codec"
)

// RecordIssuance implements storage.Certificates.
// appendFillPercent is bbolt's page split point for buckets whose keys
// mostly arrive in order.
const appendFillPercent = 0.9

func (s *Store) RecordIssuance(ctx context.Context, cert storage.Certificate, tok *storage.UsedToken) error {
	if err := checkSerial(cert.Serial); err != nil {
		return err
	}
	if err := checkToken(tok); err != nil {
		return err
	}
	// Encode outside the transaction: the batch runs callers one after
	// another, so work done here is work the batch does not serialise.
	key, val := []byte(cert.Serial), codec.EncodeCertificate(&cert)
	idx := indexKey(cert.NotAfter, cert.Serial)
	return s.write(ctx, func(tx *bolt.Tx) (error, error) {
		if used := tokenUsed(tx, tok); used != nil {
			return used, nil
		}
		if tx.Bucket(bucketCerts).Get(key) != nil {
			return fmt.Errorf("certificate %s: %w", cert.Serial, storage.ErrConflict), nil
		}
		if err := putCert(tx, key, val, idx); err != nil {
			return nil, err
		}
		return nil, putToken(tx, tok)
	})
}

// putCert stores a certificate's record val under key and its expiry index
// entry idx (RecordIssuance and FinalizeACMEOrder).
func putCert(tx *bolt.Tx, key, val, idx []byte) error {
	certs := tx.Bucket(bucketCerts)
	// Serials and notAfter mostly grow with time (the authority puts the
	// issuance time in the serial's high bits), so these buckets fill
	// from the right: pack their pages instead of leaving them half empty.
	certs.FillPercent = appendFillPercent
	if err := certs.Put(key, val); err != nil {
		return err
	}
	byExp := tx.Bucket(bucketCertsByExp)
	byExp.FillPercent = appendFillPercent
	return byExp.Put(idx, nil)
}

// Certificate implements storage.Certificates.
func (s *Store) Certificate(ctx context.Context, serial string) (*storage.Certificate, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var cert *storage.Certificate
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketCerts).Get([]byte(serial))
		if v == nil {
			return fmt.Errorf("certificate %s: %w", serial, storage.ErrNotFound)
		}
		var err error
		cert, err = codec.DecodeCertificate(serial, v)
		return err
	})
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
	key, val := []byte(rev.Serial), codec.EncodeRevocation(&rev)
	return s.write(ctx, func(tx *bolt.Tx) (error, error) {
		if used := tokenUsed(tx, tok); used != nil {
			return used, nil
		}
		revs := tx.Bucket(bucketRevocations)
		if revs.Get(key) != nil {
			return fmt.Errorf("serial %s: %w", rev.Serial, storage.ErrAlreadyRevoked), nil
		}
		if err := revs.Put(key, val); err != nil {
			return nil, err
		}
		return nil, putToken(tx, tok)
	})
}

// Revocation implements storage.Revocations.
func (s *Store) Revocation(ctx context.Context, serial string) (*storage.Revocation, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var rev *storage.Revocation
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketRevocations).Get([]byte(serial))
		if v == nil {
			return fmt.Errorf("revocation of %s: %w", serial, storage.ErrNotFound)
		}
		var err error
		rev, err = codec.DecodeRevocation(serial, v)
		return err
	})
	return rev, err
}

// UseToken implements storage.Tokens.
func (s *Store) UseToken(ctx context.Context, tok storage.UsedToken) error {
	if err := checkToken(&tok); err != nil {
		return err
	}
	return s.write(ctx, func(tx *bolt.Tx) (error, error) {
		if used := tokenUsed(tx, &tok); used != nil {
			return used, nil
		}
		return nil, putToken(tx, &tok)
	})
}

// tokenUsed returns an ErrTokenUsed error when tok (if any) is stored.
func tokenUsed(tx *bolt.Tx, tok *storage.UsedToken) error {
	if tok != nil && tx.Bucket(bucketTokens).Get([]byte(tok.ID)) != nil {
		return fmt.Errorf("token %q: %w", tok.ID, storage.ErrTokenUsed)
	}
	return nil
}

// putToken stores tok (if any) and, when it has an expiry, its index entry.
// A token without one gets an empty value and no index entry, so
// PurgeTokens never finds it.
func putToken(tx *bolt.Tx, tok *storage.UsedToken) error {
	if tok == nil {
		return nil
	}
	if tok.ExpiresAt.IsZero() {
		return tx.Bucket(bucketTokens).Put([]byte(tok.ID), []byte{})
	}
	if err := tx.Bucket(bucketTokens).Put([]byte(tok.ID), codec.TimeKey(tok.ExpiresAt)); err != nil {
		return err
	}
	return tx.Bucket(bucketTokensByExp).Put(indexKey(tok.ExpiresAt, tok.ID), nil)
}

// purgeChunk bounds one purge transaction, so purging a large backlog
// neither builds a huge transaction nor holds the writer lock for long
// between issuances.
const purgeChunk = 5000

// PurgeTokens implements storage.Tokens. It runs outside group commit (it
// is a periodic job) in transactions of at most purgeChunk tokens.
func (s *Store) PurgeTokens(ctx context.Context, before time.Time) (int, error) {
	cut := codec.TimeKey(before)
	total := 0
	for {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		var n int
		err := s.db.Update(func(tx *bolt.Tx) error {
			var err error
			n, err = purgeSome(tx, cut, purgeChunk)
			return err
		})
		if err != nil {
			return total, fmt.Errorf("bolt: purge tokens: %w", err)
		}
		total += n
		if n < purgeChunk {
			return total, nil
		}
	}
}

// purgeSome deletes up to limit tokens whose expiry sorts before cut.
func purgeSome(tx *bolt.Tx, cut []byte, limit int) (int, error) {
	idx, tokens := tx.Bucket(bucketTokensByExp), tx.Bucket(bucketTokens)
	// Collect first: deleting under a bbolt cursor can skip entries.
	var keys [][]byte
	c := idx.Cursor()
	for k, _ := c.First(); k != nil && len(keys) < limit; k, _ = c.Next() {
		if len(k) < codec.TimeLen || bytes.Compare(k[:codec.TimeLen], cut) >= 0 {
			break
		}
		keys = append(keys, append([]byte(nil), k...))
	}
	for _, k := range keys {
		if err := tokens.Delete(k[codec.TimeLen:]); err != nil {
			return 0, err
		}
		if err := idx.Delete(k); err != nil {
			return 0, err
		}
	}
	return len(keys), nil
}
