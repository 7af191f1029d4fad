package bolt

import (
	"bytes"
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/stride-pki/stride/internal/storage"
	"github.com/stride-pki/stride/internal/storage/codec"
)

// ctxCheckEvery is how many certificates a listing scans between looks at
// its context, so a cancelled listing of a large store stops soon.
const ctxCheckEvery = 1024

// ListCertificates implements storage.Certificates. The certificates
// bucket is keyed by serial, so bbolt's byte order is the contract's order
// and a cursor is a Seek. Filters are applied in Go (storage's Match):
// a filtered listing reads every certificate after the cursor until the
// page is full, in one read transaction (a consistent snapshot that does
// not block writers).
func (s *Store) ListCertificates(ctx context.Context, f storage.CertificateFilter, cursor string, limit int) ([]storage.CertificateRow, string, error) {
	if err := ctx.Err(); err != nil {
		return nil, "", err
	}
	var rows []storage.CertificateRow
	more := false
	err := s.db.View(func(tx *bolt.Tx) error {
		revs := tx.Bucket(bucketRevocations)
		c := tx.Bucket(bucketCerts).Cursor()
		k, v := c.Seek([]byte(cursor))
		if k != nil && cursor != "" && bytes.Equal(k, []byte(cursor)) {
			k, v = c.Next()
		}
		for n := 1; k != nil; k, v = c.Next() {
			if n++; n%ctxCheckEvery == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			row, err := listRow(revs, &f, k, v)
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
		return nil, "", fmt.Errorf("bolt: list certificates: %w", err)
	}
	return rows, nextCursor(rows, more), nil
}

// listRow decodes the certificate k -> v and its revocation, or returns
// nil when they do not pass f.
func listRow(revs *bolt.Bucket, f *storage.CertificateFilter, k, v []byte) (*storage.CertificateRow, error) {
	serial := string(k)
	cert, err := codec.DecodeCertificate(serial, v)
	if err != nil {
		return nil, err
	}
	var rev *storage.Revocation
	if rv := revs.Get(k); rv != nil {
		if rev, err = codec.DecodeRevocation(serial, rv); err != nil {
			return nil, err
		}
	}
	if !f.Match(cert, rev != nil) {
		return nil, nil
	}
	return &storage.CertificateRow{Certificate: *cert, Revocation: rev}, nil
}

// nextCursor is the last row's serial when more rows match after it.
func nextCursor(rows []storage.CertificateRow, more bool) string {
	if !more || len(rows) == 0 {
		return ""
	}
	return rows[len(rows)-1].Serial
}
