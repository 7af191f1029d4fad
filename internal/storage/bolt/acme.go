package bolt

import (
	"bytes"
	"context"

	bolt "go.etcd.io/bbolt"

	"github.com/stride-pki/stride/internal/storage"
	"github.com/stride-pki/stride/internal/storage/acmekv"
	"github.com/stride-pki/stride/internal/storage/codec"
)

// The ACME state (storage.ACME) is package acmekv's, one bucket per space.
// ACME writes go through group commit like every other write.

var _ storage.ACME = (*Store)(nil)

// acmeStore is embedded in Store under an unexported name: its methods are
// Store's, the field is not.
type acmeStore = acmekv.ACME

// acmeBuckets names the bucket of each acmekv.Space; changing one is a
// schema change.
var acmeBuckets = [acmekv.NumSpaces][]byte{
	acmekv.Accounts:        []byte("acme_accounts"),
	acmekv.AccountsByKey:   []byte("acme_accounts_by_key"),
	acmekv.Orders:          []byte("acme_orders"),
	acmekv.OrdersByAccount: []byte("acme_orders_by_account"),
	acmekv.OrdersByCert:    []byte("acme_orders_by_certificate"),
	acmekv.OrdersByExpiry:  []byte("acme_orders_by_expiry"),
	acmekv.Authzs:          []byte("acme_authzs"),
	acmekv.AuthzsDue:       []byte("acme_authzs_due"),
	acmekv.EABKeys:         []byte("acme_eab_keys"),
	acmekv.EABKeysByRef:    []byte("acme_eab_keys_by_reference"),
	acmekv.EABKeysByProv:   []byte("acme_eab_keys_by_provisioner"),
}

// acmeBackend runs acmekv's transactions on the store.
type acmeBackend struct{ s *Store }

func (b acmeBackend) Write(ctx context.Context, fn func(acmekv.Tx) (error, error)) error {
	return b.s.write(ctx, func(tx *bolt.Tx) (error, error) { return fn(acmeTx{tx}) })
}

func (b acmeBackend) View(ctx context.Context, fn func(acmekv.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return b.s.db.View(func(tx *bolt.Tx) error { return fn(acmeTx{tx}) })
}

// acmeTx is acmekv.Tx over a bbolt transaction.
type acmeTx struct{ tx *bolt.Tx }

func (t acmeTx) bucket(sp acmekv.Space) *bolt.Bucket { return t.tx.Bucket(acmeBuckets[sp]) }

func (t acmeTx) Get(sp acmekv.Space, key []byte) ([]byte, error) { return t.bucket(sp).Get(key), nil }

func (t acmeTx) Put(sp acmekv.Space, key, val []byte) error { return t.bucket(sp).Put(key, val) }

func (t acmeTx) Delete(sp acmekv.Space, key []byte) error { return t.bucket(sp).Delete(key) }

func (t acmeTx) Scan(sp acmekv.Space, prefix, start []byte, fn func(k, v []byte) (bool, error)) error {
	if start == nil {
		start = prefix
	}
	c := t.bucket(sp).Cursor()
	for k, v := c.Seek(start); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if more, err := fn(k, v); !more || err != nil {
			return err
		}
	}
	return nil
}

func (t acmeTx) CertificateExists(serial string) (bool, error) {
	return t.tx.Bucket(bucketCerts).Get([]byte(serial)) != nil, nil
}

func (t acmeTx) PutCertificate(cert *storage.Certificate) error {
	if err := checkSerial(cert.Serial); err != nil {
		return err
	}
	return putCert(t.tx, []byte(cert.Serial), codec.EncodeCertificate(cert), indexKey(cert.NotAfter, cert.Serial))
}
