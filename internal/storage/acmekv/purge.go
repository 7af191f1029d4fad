package acmekv

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/stride-pki/stride/internal/storage"
	"github.com/stride-pki/stride/internal/storage/codec"
)

// A purge transaction deletes at most purgeChunk orders and stops after
// the order that takes it to purgeRecords records, so a large backlog
// neither builds a huge transaction (Badger caps one at about a megabyte of
// keys; a record goes with some three index entries) nor holds the writer
// for long between other writes.
const (
	purgeChunk   = 200
	purgeRecords = 1000
)

// PurgeACME implements storage.ACME. The expiry index holds only orders
// that are not valid, so the purge reads nothing it keeps.
func (s *ACME) PurgeACME(ctx context.Context, before time.Time) (int, error) {
	cut := codec.TimeKey(before)
	total := 0
	for {
		var n int
		var more bool
		err := s.b.Write(ctx, func(tx Tx) (error, error) {
			var err error
			n, more, err = purgeSome(tx, cut) // reset on every run of the function
			return nil, err
		})
		if err != nil {
			return total, fmt.Errorf("acme: purge: %w", err)
		}
		total += n
		if !more {
			return total, nil
		}
	}
}

// purgeSome deletes the first orders whose expiry sorts before cut, with
// their authorizations, within the limits above; n counts both, more says
// whether it stopped at a limit.
func purgeSome(tx Tx, cut []byte) (n int, more bool, err error) {
	var ids []string
	err = tx.Scan(OrdersByExpiry, nil, nil, func(k, _ []byte) (bool, error) {
		if len(k) < codec.TimeLen || bytes.Compare(k[:codec.TimeLen], cut) >= 0 {
			return false, nil
		}
		if len(ids) == purgeChunk {
			more = true
			return false, nil
		}
		ids = append(ids, string(k[codec.TimeLen:]))
		return true, nil
	})
	if err != nil {
		return 0, false, err
	}
	for i, id := range ids {
		d, err := purgeOrder(tx, id)
		if err != nil {
			return 0, false, err
		}
		if n += d; n >= purgeRecords && i < len(ids)-1 {
			return n, true, nil
		}
	}
	return n, more, nil
}

// purgeOrder deletes the order id and its authorizations and returns how
// many records it deleted.
func purgeOrder(tx Tx, id string) (int, error) {
	o, err := get[storage.ACMEOrder](tx, Orders, id)
	switch {
	case err != nil:
		return 0, err
	case o == nil:
		return 0, fmt.Errorf("the expiry index names order %q, which is not stored", id)
	case o.Status == statusValid:
		return 0, fmt.Errorf("order %q is valid but in the expiry index", id)
	}
	n := 1
	for _, aid := range o.AuthzIDs {
		a, err := get[storage.ACMEAuthz](tx, Authzs, aid)
		if err != nil {
			return 0, err
		}
		if a == nil {
			continue
		}
		if err := remove(tx, Authzs, aid, authzIndexes(a)); err != nil {
			return 0, err
		}
		n++
	}
	return n, remove(tx, Orders, id, orderIndexes(o))
}
