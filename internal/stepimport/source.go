package stepimport

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"

	badgerv2 "github.com/dgraph-io/badger/v2"
	bolt "go.etcd.io/bbolt"
)

// Source is a step-ca database opened read-only: the rows of one of its
// buckets ("tables" in step's words), one at a time.
type Source interface {
	// ForEach calls fn with every key and value of bucket, in key order. A
	// bucket that does not exist has no rows. key and value are valid only
	// during the call. An error from fn stops the walk and is returned.
	ForEach(bucket string, fn func(key, value []byte) error) error
	// Close releases the database.
	Close() error
}

// Database types, as ca.json's db.type names them.
const (
	TypeBolt     = "bbolt"
	TypeBadgerV2 = "badgerv2"
)

// ErrLocked: the step-ca database is held by a running step-ca.
var ErrLocked = errors.New("the step-ca database is in use (stop step-ca first)")

// Open opens a step-ca database of type dbType (bbolt or badgerv2) at path
// read-only; valueDir is Badger's valueDir option ("" = path).
func Open(dbType, path, valueDir string) (Source, error) {
	switch dbType {
	case TypeBolt:
		return OpenBolt(path)
	case TypeBadgerV2:
		return OpenBadgerV2(path, valueDir)
	case "badger", "badgerv1":
		return nil, fmt.Errorf("db type %q (Badger v1) is not supported: step-ca's default since v0.15 is badgerv2", dbType)
	default:
		return nil, fmt.Errorf("db type %q is not supported: use bbolt or badgerv2", dbType)
	}
}

// boltSource reads a bbolt file as step-ca writes it: one top-level bucket
// per table, keys and values as stored.
type boltSource struct{ db *bolt.DB }

// OpenBolt opens step-ca's bbolt file read-only.
func OpenBolt(path string) (Source, error) {
	db, err := bolt.Open(path, 0o400, &bolt.Options{ReadOnly: true, Timeout: 2 * time.Second})
	if err != nil {
		if errors.Is(err, bolt.ErrTimeout) {
			return nil, fmt.Errorf("%s: %w", path, ErrLocked)
		}
		return nil, fmt.Errorf("opening step-ca's bbolt database %s: %w", path, err)
	}
	return &boltSource{db: db}, nil
}

func (s *boltSource) ForEach(bucket string, fn func(key, value []byte) error) error {
	return s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(bucket))
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			if v == nil { // a nested bucket, not a row
				return nil
			}
			return fn(k, v)
		})
	})
}

func (s *boltSource) Close() error { return s.db.Close() }

// badgerSource reads a Badger v2 directory as step-ca writes it: every row
// of every table in one keyspace, the key prefixed by its table (see
// badgerKey).
type badgerSource struct{ db *badgerv2.DB }

// OpenBadgerV2 opens step-ca's Badger v2 directory read-only.
func OpenBadgerV2(dir, valueDir string) (Source, error) {
	if valueDir == "" {
		valueDir = dir
	}
	opts := badgerv2.DefaultOptions(dir).WithValueDir(valueDir).WithReadOnly(true).WithLogger(nil)
	db, err := badgerv2.Open(opts)
	if err != nil {
		if strings.Contains(err.Error(), "Another process is using this Badger database") {
			return nil, fmt.Errorf("%s: %w: %v", dir, ErrLocked, err)
		}
		return nil, fmt.Errorf("opening step-ca's Badger v2 database %s: %w", dir, err)
	}
	return &badgerSource{db: db}, nil
}

func (s *badgerSource) ForEach(bucket string, fn func(key, value []byte) error) error {
	prefix := bucketPrefix(bucket)
	return s.db.View(func(txn *badgerv2.Txn) error {
		it := txn.NewIterator(badgerv2.IteratorOptions{PrefetchValues: false, Prefix: prefix})
		defer it.Close()
		for it.Seek(prefix); it.ValidForPrefix(prefix); it.Next() {
			item := it.Item()
			b, k, err := splitKey(item.Key())
			if err != nil {
				return err
			}
			if b != bucket || k == nil { // k == nil: the table's own marker
				continue
			}
			if err := item.Value(func(v []byte) error { return fn(k, v) }); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *badgerSource) Close() error { return s.db.Close() }

// badgerKey is step's Badger key for key in bucket:
// u16 LE len(bucket) ‖ bucket ‖ u16 LE len(key) ‖ key.
func badgerKey(bucket, key []byte) []byte {
	out := make([]byte, 0, 4+len(bucket)+len(key))
	out = binary.LittleEndian.AppendUint16(out, uint16(len(bucket)))
	out = append(out, bucket...)
	out = binary.LittleEndian.AppendUint16(out, uint16(len(key)))
	return append(out, key...)
}

// bucketPrefix is what every Badger key of bucket starts with; the length
// in front keeps "x509_certs" from matching "x509_certs_data".
func bucketPrefix(bucket string) []byte {
	out := binary.LittleEndian.AppendUint16(nil, uint16(len(bucket)))
	return append(out, bucket...)
}

// splitKey undoes badgerKey. A key that ends right after the bucket (a
// table marker) returns a nil key.
func splitKey(raw []byte) (bucket string, key []byte, err error) {
	if len(raw) < 2 {
		return "", nil, fmt.Errorf("step-ca Badger key %x: too short", raw)
	}
	n := int(binary.LittleEndian.Uint16(raw))
	raw = raw[2:]
	if len(raw) < n {
		return "", nil, fmt.Errorf("step-ca Badger key: bucket length %d exceeds the key", n)
	}
	bucket, raw = string(raw[:n]), raw[n:]
	if len(raw) == 0 {
		return bucket, nil, nil
	}
	if len(raw) < 2 {
		return "", nil, fmt.Errorf("step-ca Badger key in %q: truncated key length", bucket)
	}
	m := int(binary.LittleEndian.Uint16(raw))
	raw = raw[2:]
	if len(raw) != m {
		return "", nil, fmt.Errorf("step-ca Badger key in %q: key length %d, %d bytes follow", bucket, m, len(raw))
	}
	return bucket, raw, nil
}
