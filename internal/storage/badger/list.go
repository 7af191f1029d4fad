package badger

import (
	"context"
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"github.com/stride-pki/stride/internal/storage"
	"github.com/stride-pki/stride/internal/storage/codec"
)

// ctxCheckEvery is how many certificates a listing scans between looks at
// its context.
const ctxCheckEvery = 1024

// ListCertificates implements storage.Certificates. Certificate keys are
// 'c' ‖ serial, so an iterator over that prefix walks serials in the
// contract's byte order and a cursor is a Seek. Filters are applied in Go
// (storage's Match) in one read transaction, a consistent snapshot.
func (s *Store) ListCertificates(ctx context.Context, f storage.CertificateFilter, cursor string, limit int) ([]storage.CertificateRow, string, error) {
	if err := ctx.Err(); err != nil {
		return nil, "", err
	}
	var rows []storage.CertificateRow
	more := false
	err := s.db.View(func(txn *badger.Txn) error {
		opts := badger.DefaultIteratorOptions
		opts.Prefix = []byte{kindCert}
		it := txn.NewIterator(opts)
		defer it.Close()
		// The first key after the cursor: cursor ‖ 0x00 sorts right after it.
		start := certKey(cursor)
		if cursor != "" {
			start = append(start, 0)
		}
		n := 0
		for it.Seek(start); it.Valid(); it.Next() {
			if n++; n%ctxCheckEvery == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			row, err := listRow(txn, it.Item(), &f)
			switch {
			case err != nil:
				return err
			case row == nil:
				continue
			case limit > 0 && len(rows) == limit:
				more = true
				return nil
			}
			rows = append(rows, *row)
		}
		return nil
	})
	if err != nil {
		return nil, "", fmt.Errorf("badger: list certificates: %w", err)
	}
	if !more || len(rows) == 0 {
		return rows, "", nil
	}
	return rows, rows[len(rows)-1].Serial, nil
}

// listRow decodes the certificate item and its revocation, or returns nil
// when they do not pass f.
func listRow(txn *badger.Txn, item *badger.Item, f *storage.CertificateFilter) (*storage.CertificateRow, error) {
	serial := string(item.Key()[1:])
	var cert *storage.Certificate
	err := item.Value(func(v []byte) (err error) {
		cert, err = codec.DecodeCertificate(serial, v)
		return err
	})
	if err != nil {
		return nil, err
	}
	var rev *storage.Revocation
	ri, err := txn.Get(revocationKey(serial))
	switch {
	case errors.Is(err, badger.ErrKeyNotFound):
	case err != nil:
		return nil, err
	default:
		err = ri.Value(func(v []byte) (err error) {
			rev, err = codec.DecodeRevocation(serial, v)
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	if !f.Match(cert, rev != nil) {
		return nil, nil
	}
	return &storage.CertificateRow{Certificate: *cert, Revocation: rev}, nil
}
