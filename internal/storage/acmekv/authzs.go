package acmekv

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/stride-pki/stride/internal/storage"
	"github.com/stride-pki/stride/internal/storage/codec"
)

// authzIndexes are the index entries of a: its place in the validation
// queue when one is due.
func authzIndexes(a *storage.ACMEAuthz) []entry {
	if a.ValidateAt.IsZero() {
		return nil
	}
	return []entry{{AuthzsDue, timed(a.ValidateAt, a.ID), empty}}
}

// ACMEAuthz implements storage.ACME.
func (s *ACME) ACMEAuthz(ctx context.Context, id string) (*storage.ACMEAuthz, error) {
	return view[storage.ACMEAuthz](ctx, s, Authzs, "authz", id)
}

// UpdateACMEAuthz implements storage.ACME.
func (s *ACME) UpdateACMEAuthz(ctx context.Context, authz *storage.ACMEAuthz) error {
	if authz == nil {
		return errNilRecord
	}
	if err := checkID("authz ID", authz.ID); err != nil {
		return err
	}
	rec := *authz
	rec.Version++
	val, err := encode(&rec)
	if err != nil {
		return err
	}
	idx := authzIndexes(&rec)
	err = s.b.Write(ctx, func(tx Tx) (error, error) {
		old, err := get[storage.ACMEAuthz](tx, Authzs, authz.ID)
		switch {
		case err != nil:
			return nil, err
		case old == nil:
			return notFound("authz", authz.ID), nil
		}
		if o := stale("authz", authz.ID, old.Version, authz.Version); o != nil {
			return o, nil
		}
		return nil, replace(tx, Authzs, rec.ID, val, authzIndexes(old), idx)
	})
	if err == nil {
		authz.Version = rec.Version
	}
	return err
}

// DueACMEValidations implements storage.ACME: the queue's keys sort by
// ValidateAt, so the due authorizations are its first keys up to now.
// limit <= 0 means no limit.
func (s *ACME) DueACMEValidations(ctx context.Context, now time.Time, limit int) ([]storage.ACMEAuthz, error) {
	cut := codec.TimeKey(now)
	var rows []storage.ACMEAuthz
	err := s.b.View(ctx, func(tx Tx) error {
		var ids []string
		err := tx.Scan(AuthzsDue, nil, nil, func(k, _ []byte) (bool, error) {
			if len(k) < codec.TimeLen || bytes.Compare(k[:codec.TimeLen], cut) > 0 ||
				(limit > 0 && len(ids) == limit) {
				return false, nil
			}
			ids = append(ids, string(k[codec.TimeLen:]))
			return true, nil
		})
		if err != nil {
			return err
		}
		rows, err = getAll[storage.ACMEAuthz](tx, Authzs, ids)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("acme: due validations: %w", err)
	}
	return rows, nil
}
