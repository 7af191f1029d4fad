package acmekv

import (
	"context"
	"fmt"
	"time"

	"github.com/stride-pki/stride/internal/storage"
)

// accountIndexes are the index entries of a.
func accountIndexes(a *storage.ACMEAccount) []entry {
	return []entry{{AccountsByKey, append(lp(a.Provisioner), a.KeyID...), []byte(a.ID)}}
}

func checkAccount(a *storage.ACMEAccount) error {
	if a == nil {
		return errNilRecord
	}
	if err := checkID("account ID", a.ID); err != nil {
		return err
	}
	return checkID("account key ID", a.KeyID)
}

// CreateACMEAccount implements storage.ACME.
func (s *ACME) CreateACMEAccount(ctx context.Context, acct *storage.ACMEAccount) error {
	if err := checkAccount(acct); err != nil {
		return err
	}
	rec := *acct
	rec.Version = 1
	val, err := encode(&rec)
	if err != nil {
		return err
	}
	idx := accountIndexes(&rec)
	err = s.b.Write(ctx, func(tx Tx) (error, error) {
		if o, err := accountFree(tx, &rec); o != nil || err != nil {
			return o, err
		}
		key, o, err := eabToBind(tx, &rec)
		if o != nil || err != nil {
			return o, err
		}
		if key != nil {
			if err := putEABKey(tx, key); err != nil {
				return nil, err
			}
		}
		return nil, replace(tx, Accounts, rec.ID, val, nil, idx)
	})
	if err == nil {
		acct.Version = rec.Version
	}
	return err
}

// accountFree returns an ErrConflict outcome when a's ID or its
// (provisioner, key ID) is taken.
func accountFree(tx Tx, a *storage.ACMEAccount) (error, error) {
	switch ok, err := absent(tx, Accounts, a.ID); {
	case err != nil:
		return nil, err
	case !ok:
		return fmt.Errorf("acme account %q: %w", a.ID, storage.ErrConflict), nil
	}
	return keyFree(tx, a)
}

// keyFree returns an ErrConflict outcome when a's key belongs to another
// account of its provisioner.
func keyFree(tx Tx, a *storage.ACMEAccount) (error, error) {
	owner, err := tx.Get(AccountsByKey, accountIndexes(a)[0].key)
	if err != nil {
		return nil, err
	}
	if owner != nil && string(owner) != a.ID {
		return fmt.Errorf("acme account key %q of %q is account %q's: %w",
			a.KeyID, a.Provisioner, owner, storage.ErrConflict), nil
	}
	return nil, nil
}

// eabToBind returns a's EAB key bound to it, ready to store, or nil when a
// binds none; the outcome is ErrNotFound or ErrEABKeyBound when it cannot.
func eabToBind(tx Tx, a *storage.ACMEAccount) (*storage.ACMEEABKey, error, error) {
	if a.EABKeyID == "" {
		return nil, nil, nil
	}
	key, err := get[storage.ACMEEABKey](tx, EABKeys, a.EABKeyID)
	switch {
	case err != nil:
		return nil, nil, err
	case key == nil || key.Provisioner != a.Provisioner:
		return nil, fmt.Errorf("acme EAB key %q of %q: %w", a.EABKeyID, a.Provisioner, storage.ErrNotFound), nil
	case key.AccountID == a.ID:
		// Bound to this very account already (an import): nothing to
		// write, BoundAt stays.
		return nil, nil, nil
	case key.AccountID != "":
		return nil, fmt.Errorf("acme EAB key %q is bound to account %q: %w",
			a.EABKeyID, key.AccountID, storage.ErrEABKeyBound), nil
	}
	key.AccountID, key.BoundAt = a.ID, a.CreatedAt.UTC()
	if key.BoundAt.IsZero() {
		// BoundAt is "set when bound"; an account without a creation
		// time (a caller bug) still gets one.
		key.BoundAt = time.Now().UTC()
	}
	return key, nil, nil
}

// ACMEAccount implements storage.ACME.
func (s *ACME) ACMEAccount(ctx context.Context, id string) (*storage.ACMEAccount, error) {
	return view[storage.ACMEAccount](ctx, s, Accounts, "account", id)
}

// ACMEAccountByKey implements storage.ACME.
func (s *ACME) ACMEAccountByKey(ctx context.Context, provisioner, keyID string) (*storage.ACMEAccount, error) {
	var a *storage.ACMEAccount
	err := s.b.View(ctx, func(tx Tx) error {
		id, err := tx.Get(AccountsByKey, append(lp(provisioner), keyID...))
		if err != nil || id == nil {
			return err
		}
		a, err = get[storage.ACMEAccount](tx, Accounts, string(id))
		return err
	})
	if err == nil && a == nil {
		err = fmt.Errorf("acme account with key %q of %q: %w", keyID, provisioner, storage.ErrNotFound)
	}
	return a, err
}

// UpdateACMEAccount implements storage.ACME.
func (s *ACME) UpdateACMEAccount(ctx context.Context, acct *storage.ACMEAccount) error {
	if err := checkAccount(acct); err != nil {
		return err
	}
	rec := *acct
	rec.Version++
	val, err := encode(&rec)
	if err != nil {
		return err
	}
	idx := accountIndexes(&rec)
	err = s.b.Write(ctx, func(tx Tx) (error, error) {
		old, err := get[storage.ACMEAccount](tx, Accounts, acct.ID)
		if err != nil {
			return nil, err
		}
		if old == nil {
			return notFound("account", acct.ID), nil
		}
		if o := stale("account", acct.ID, old.Version, acct.Version); o != nil {
			return o, nil
		}
		if o, err := keyFree(tx, &rec); o != nil || err != nil {
			return o, err
		}
		return nil, replace(tx, Accounts, rec.ID, val, accountIndexes(old), idx)
	})
	if err == nil {
		acct.Version = rec.Version
	}
	return err
}
