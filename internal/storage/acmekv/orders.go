package acmekv

import (
	"context"
	"fmt"

	"github.com/stride-pki/stride/internal/storage"
	"github.com/stride-pki/stride/internal/storage/codec"
)

// statusValid is the one order status PurgeACME keeps (RFC 8555 §7.1.6).
const statusValid = "valid"

// orderIndexes are the index entries of o: its place in its account's
// list, its certificate, and, unless it is valid, its expiry (so PurgeACME
// walks only orders it may delete).
func orderIndexes(o *storage.ACMEOrder) []entry {
	idx := []entry{{OrdersByAccount, append(lp(o.AccountID), timed(o.CreatedAt, o.ID)...), empty}}
	if o.CertificateSerial != "" {
		idx = append(idx, entry{OrdersByCert, []byte(o.CertificateSerial), []byte(o.ID)})
	}
	if o.Status != statusValid {
		idx = append(idx, entry{OrdersByExpiry, timed(o.ExpiresAt, o.ID), empty})
	}
	return idx
}

// newRecord is a record to create: its ID, value and index entries.
type newRecord struct {
	sp  Space
	id  string
	val []byte
	idx []entry
}

// CreateACMEOrder implements storage.ACME.
func (s *ACME) CreateACMEOrder(ctx context.Context, order *storage.ACMEOrder, authzs []*storage.ACMEAuthz) error {
	recs, err := newOrderRecords(order, authzs)
	if err != nil {
		return err
	}
	err = s.b.Write(ctx, func(tx Tx) (error, error) {
		type key struct {
			sp Space
			id string
		}
		seen := map[key]bool{} // an ID repeated within the call conflicts too
		for _, r := range recs {
			k := key{r.sp, r.id}
			ok, err := absent(tx, r.sp, r.id)
			switch {
			case err != nil:
				return nil, err
			case !ok || seen[k]:
				return fmt.Errorf("acme order %q: record %q: %w", order.ID, r.id, storage.ErrConflict), nil
			}
			seen[k] = true
		}
		for _, r := range recs {
			if err := replace(tx, r.sp, r.id, r.val, nil, r.idx); err != nil {
				return nil, err
			}
		}
		return nil, nil
	})
	if err == nil {
		order.Version = 1
		for _, a := range authzs {
			a.Version = 1
		}
	}
	return err
}

// newOrderRecords encodes order and authzs at Version 1.
func newOrderRecords(order *storage.ACMEOrder, authzs []*storage.ACMEAuthz) ([]newRecord, error) {
	if order == nil {
		return nil, errNilRecord
	}
	if err := checkID("order ID", order.ID); err != nil {
		return nil, err
	}
	o := *order
	o.Version = 1
	val, err := encode(&o)
	if err != nil {
		return nil, err
	}
	recs := []newRecord{{Orders, o.ID, val, orderIndexes(&o)}}
	for _, az := range authzs {
		if az == nil {
			return nil, errNilRecord
		}
		if err := checkID("authz ID", az.ID); err != nil {
			return nil, err
		}
		a := *az
		a.Version = 1
		val, err := encode(&a)
		if err != nil {
			return nil, err
		}
		recs = append(recs, newRecord{Authzs, a.ID, val, authzIndexes(&a)})
	}
	return recs, nil
}

// ACMEOrder implements storage.ACME.
func (s *ACME) ACMEOrder(ctx context.Context, id string) (*storage.ACMEOrder, error) {
	return view[storage.ACMEOrder](ctx, s, Orders, "order", id)
}

// UpdateACMEOrder implements storage.ACME.
func (s *ACME) UpdateACMEOrder(ctx context.Context, order *storage.ACMEOrder) error {
	return s.updateOrder(ctx, order, nil)
}

// FinalizeACMEOrder implements storage.ACME.
func (s *ACME) FinalizeACMEOrder(ctx context.Context, order *storage.ACMEOrder, cert storage.Certificate) error {
	if err := checkID("certificate serial", cert.Serial); err != nil {
		return err
	}
	if order != nil && order.CertificateSerial != cert.Serial {
		return fmt.Errorf("acme: finalize order %q: its certificate serial %q is not %q",
			order.ID, order.CertificateSerial, cert.Serial)
	}
	return s.updateOrder(ctx, order, &cert)
}

// updateOrder replaces order when its version is current and, with cert,
// records cert in the same transaction unless its serial exists.
func (s *ACME) updateOrder(ctx context.Context, order *storage.ACMEOrder, cert *storage.Certificate) error {
	if order == nil {
		return errNilRecord
	}
	if err := checkID("order ID", order.ID); err != nil {
		return err
	}
	rec := *order
	rec.Version++
	val, err := encode(&rec)
	if err != nil {
		return err
	}
	idx := orderIndexes(&rec)
	err = s.b.Write(ctx, func(tx Tx) (error, error) {
		old, err := get[storage.ACMEOrder](tx, Orders, order.ID)
		switch {
		case err != nil:
			return nil, err
		case old == nil:
			return notFound("order", order.ID), nil
		}
		if o := stale("order", order.ID, old.Version, order.Version); o != nil {
			return o, nil
		}
		if cert != nil {
			switch found, err := tx.CertificateExists(cert.Serial); {
			case err != nil:
				return nil, err
			case found:
				return fmt.Errorf("acme order %q: certificate %s: %w", order.ID, cert.Serial, storage.ErrConflict), nil
			}
			if err := tx.PutCertificate(cert); err != nil {
				return nil, err
			}
		}
		return nil, replace(tx, Orders, rec.ID, val, orderIndexes(old), idx)
	})
	if err == nil {
		order.Version = rec.Version
	}
	return err
}

// ListACMEOrders implements storage.ACME. An account's orders are keyed by
// creation time (CreatedAt, then ID for equal times), so the page after a
// cursor starts after the cursor order's key; a cursor that is not an order
// of the account (purged since, say) is an error wrapping ErrNotFound.
func (s *ACME) ListACMEOrders(ctx context.Context, accountID, cursor string, limit int) ([]storage.ACMEOrder, string, error) {
	var rows []storage.ACMEOrder
	more := false
	err := s.b.View(ctx, func(tx Tx) error {
		prefix := lp(accountID)
		start, err := listStart(tx, prefix, accountID, cursor)
		if err != nil {
			return err
		}
		var ids []string
		err = tx.Scan(OrdersByAccount, prefix, start, func(k, _ []byte) (bool, error) {
			if limit > 0 && len(ids) == limit {
				more = true
				return false, nil
			}
			ids = append(ids, string(k[len(prefix)+codec.TimeLen:]))
			return true, nil
		})
		if err != nil {
			return err
		}
		rows, err = getAll[storage.ACMEOrder](tx, Orders, ids)
		return err
	})
	if err != nil {
		return nil, "", fmt.Errorf("acme: list orders of %q: %w", accountID, err)
	}
	if !more || len(rows) == 0 {
		return rows, "", nil
	}
	return rows, rows[len(rows)-1].ID, nil
}

// listStart is the first index key after the cursor order's.
func listStart(tx Tx, prefix []byte, accountID, cursor string) ([]byte, error) {
	if cursor == "" {
		return prefix, nil
	}
	o, err := get[storage.ACMEOrder](tx, Orders, cursor)
	switch {
	case err != nil:
		return nil, err
	case o == nil || o.AccountID != accountID:
		return nil, fmt.Errorf("cursor: %w", notFound("order", cursor))
	}
	// key ‖ 0x00 is the smallest key after key.
	return append(append(prefix, timed(o.CreatedAt, o.ID)...), 0), nil
}

// getAll reads the records ids of sp, which must all exist.
func getAll[T any](tx Tx, sp Space, ids []string) ([]T, error) {
	rows := make([]T, 0, len(ids))
	for _, id := range ids {
		r, err := get[T](tx, sp, id)
		if err != nil {
			return nil, err
		}
		if r == nil {
			return nil, fmt.Errorf("index names %q, which is not stored", id)
		}
		rows = append(rows, *r)
	}
	return rows, nil
}

// ACMEOrderByCertificate implements storage.ACME.
func (s *ACME) ACMEOrderByCertificate(ctx context.Context, serial string) (*storage.ACMEOrder, error) {
	var o *storage.ACMEOrder
	err := s.b.View(ctx, func(tx Tx) error {
		id, err := tx.Get(OrdersByCert, []byte(serial))
		if err != nil || id == nil {
			return err
		}
		o, err = get[storage.ACMEOrder](tx, Orders, string(id))
		return err
	})
	if err == nil && o == nil {
		err = fmt.Errorf("acme order of certificate %s: %w", serial, storage.ErrNotFound)
	}
	return o, err
}
