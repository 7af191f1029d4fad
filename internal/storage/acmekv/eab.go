package acmekv

import (
	"context"
	"fmt"

	"github.com/stride-pki/stride/internal/storage"
)

// eabIndexes are the index entries of k: by provisioner (for listing) and,
// when it has one, by reference (for uniqueness).
func eabIndexes(k *storage.ACMEEABKey) []entry {
	idx := []entry{{EABKeysByProv, append(lp(k.Provisioner), k.ID...), empty}}
	if k.Reference != "" {
		idx = append(idx, entry{EABKeysByRef, append(lp(k.Provisioner), k.Reference...), []byte(k.ID)})
	}
	return idx
}

// putEABKey rewrites a stored key whose indexed fields did not change.
func putEABKey(tx Tx, k *storage.ACMEEABKey) error {
	val, err := encode(k)
	if err != nil {
		return err
	}
	return tx.Put(EABKeys, []byte(k.ID), val)
}

// CreateACMEEABKey implements storage.ACME.
func (s *ACME) CreateACMEEABKey(ctx context.Context, key *storage.ACMEEABKey) error {
	if key == nil {
		return errNilRecord
	}
	if err := checkID("EAB key ID", key.ID); err != nil {
		return err
	}
	if len(key.Reference) > maxIDLen {
		return fmt.Errorf("acme: EAB key reference longer than %d bytes", maxIDLen)
	}
	val, err := encode(key)
	if err != nil {
		return err
	}
	idx := eabIndexes(key)
	return s.b.Write(ctx, func(tx Tx) (error, error) {
		switch ok, err := absent(tx, EABKeys, key.ID); {
		case err != nil:
			return nil, err
		case !ok:
			return fmt.Errorf("acme EAB key %q: %w", key.ID, storage.ErrConflict), nil
		}
		if key.Reference != "" {
			owner, err := tx.Get(EABKeysByRef, idx[1].key)
			if err != nil {
				return nil, err
			}
			if owner != nil {
				return fmt.Errorf("acme EAB key reference %q of %q is key %q's: %w",
					key.Reference, key.Provisioner, owner, storage.ErrConflict), nil
			}
		}
		return nil, replace(tx, EABKeys, key.ID, val, nil, idx)
	})
}

// ACMEEABKey implements storage.ACME.
func (s *ACME) ACMEEABKey(ctx context.Context, id string) (*storage.ACMEEABKey, error) {
	return view[storage.ACMEEABKey](ctx, s, EABKeys, "EAB key", id)
}

// ListACMEEABKeys implements storage.ACME: one provisioner's keys through
// its index (keyed by ID), every key from the records (keyed by ID).
func (s *ACME) ListACMEEABKeys(ctx context.Context, provisioner string) ([]storage.ACMEEABKey, error) {
	var rows []storage.ACMEEABKey
	err := s.b.View(ctx, func(tx Tx) error {
		sp, prefix := EABKeysByProv, lp(provisioner)
		if provisioner == "" {
			sp, prefix = EABKeys, nil
		}
		var ids []string
		err := tx.Scan(sp, prefix, nil, func(k, _ []byte) (bool, error) {
			ids = append(ids, string(k[len(prefix):]))
			return true, nil
		})
		if err != nil {
			return err
		}
		rows, err = getAll[storage.ACMEEABKey](tx, EABKeys, ids)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("acme: list EAB keys: %w", err)
	}
	return rows, nil
}

// DeleteACMEEABKey implements storage.ACME. Accounts keep their EABKeyID.
func (s *ACME) DeleteACMEEABKey(ctx context.Context, id string) error {
	return s.b.Write(ctx, func(tx Tx) (error, error) {
		k, err := get[storage.ACMEEABKey](tx, EABKeys, id)
		switch {
		case err != nil:
			return nil, err
		case k == nil:
			return notFound("EAB key", id), nil
		}
		return nil, remove(tx, EABKeys, id, eabIndexes(k))
	})
}
