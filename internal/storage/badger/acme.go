package badger

import (
	"context"
	"errors"

	"github.com/dgraph-io/badger/v4"

	"github.com/stride-pki/stride/internal/storage"
	"github.com/stride-pki/stride/internal/storage/acmekv"
	"github.com/stride-pki/stride/internal/storage/codec"
)

// The ACME state (storage.ACME) is package acmekv's, one key prefix per
// space. ACME writes go through the writer's group commit; an update reads
// the record it replaces, so two racing updates of one record conflict in
// Badger and the re-run answers ErrStale. Orders and authorizations are
// rewritten as they progress; their old values in the value log are
// garbage that gc.go's collector reclaims.

var _ storage.ACME = (*Store)(nil)

// acmeStore is embedded in Store under an unexported name: its methods are
// Store's, the field is not.
type acmeStore = acmekv.ACME

// acmeKinds is the kind byte of each acmekv.Space (capitals: the kinds of
// keys.go are lower case); changing one is a schema change.
var acmeKinds = [acmekv.NumSpaces]byte{
	acmekv.Accounts:        'A',
	acmekv.AccountsByKey:   'B',
	acmekv.Orders:          'C',
	acmekv.OrdersByAccount: 'D',
	acmekv.OrdersByCert:    'E',
	acmekv.OrdersByExpiry:  'F',
	acmekv.Authzs:          'G',
	acmekv.AuthzsDue:       'H',
	acmekv.EABKeys:         'I',
	acmekv.EABKeysByRef:    'J',
	acmekv.EABKeysByProv:   'K',
}

// acmeBackend runs acmekv's transactions on the store.
type acmeBackend struct{ s *Store }

func (b acmeBackend) Write(ctx context.Context, fn func(acmekv.Tx) (error, error)) error {
	return b.s.write(ctx, func(txn *badger.Txn) (error, error) { return fn(acmeTx{txn}) })
}

func (b acmeBackend) View(ctx context.Context, fn func(acmekv.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return b.s.db.View(func(txn *badger.Txn) error { return fn(acmeTx{txn}) })
}

// acmeTx is acmekv.Tx over a Badger transaction.
type acmeTx struct{ txn *badger.Txn }

func acmeKey(sp acmekv.Space, key []byte) []byte {
	return append(append(make([]byte, 0, 1+len(key)), acmeKinds[sp]), key...)
}

func (t acmeTx) Get(sp acmekv.Space, key []byte) ([]byte, error) {
	item, err := t.txn.Get(acmeKey(sp, key))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	// Never nil for a stored key: acmekv reads nil as absent.
	return item.ValueCopy([]byte{})
}

func (t acmeTx) Put(sp acmekv.Space, key, val []byte) error {
	return t.txn.Set(acmeKey(sp, key), val)
}

func (t acmeTx) Delete(sp acmekv.Space, key []byte) error {
	return t.txn.Delete(acmeKey(sp, key))
}

// Scan iterates with one iterator, closed before it returns (a read-write
// transaction allows one at a time).
func (t acmeTx) Scan(sp acmekv.Space, prefix, start []byte, fn func(k, v []byte) (bool, error)) error {
	if start == nil {
		start = prefix
	}
	it := t.txn.NewIterator(badger.IteratorOptions{Prefix: acmeKey(sp, prefix)})
	defer it.Close()
	for it.Seek(acmeKey(sp, start)); it.Valid(); it.Next() {
		v, err := it.Item().ValueCopy(nil)
		if err != nil {
			return err
		}
		if more, err := fn(it.Item().Key()[1:], v); !more || err != nil {
			return err
		}
	}
	return nil
}

func (t acmeTx) CertificateExists(serial string) (bool, error) {
	return exists(t.txn, certKey(serial))
}

func (t acmeTx) PutCertificate(cert *storage.Certificate) error {
	if err := checkSerial(cert.Serial); err != nil {
		return err
	}
	return putCert(t.txn, certKey(cert.Serial), codec.EncodeCertificate(cert), certExpiryKey(cert.NotAfter, cert.Serial))
}
