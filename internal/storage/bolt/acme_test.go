package bolt

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/stride-pki/stride/internal/storage"
)

// TestOpenAddsACMEBuckets: a file written before ACME existed (schema 1
// without the acme_* buckets) opens, takes ACME records, and keeps them
// across a reopen.
func TestOpenAddsACMEBuckets(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "stride.db")
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, name := range allBuckets {
			if _, err := tx.CreateBucket(name); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketMeta).Put(keySchema, schemaVersion)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	acct := &storage.ACMEAccount{ID: "acct-1", Provisioner: "acme", KeyID: "thumb", Key: []byte(`{}`),
		Status: "valid", CreatedAt: time.Unix(1700000000, 0).UTC()}
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateACMEAccount(ctx, acct); err != nil {
		t.Fatalf("CreateACMEAccount on a pre-ACME file: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.ACMEAccountByKey(ctx, "acme", "thumb")
	if err != nil || got.ID != acct.ID || got.Version != 1 {
		t.Fatalf("after reopen: ACMEAccountByKey = %+v, %v; want account %s at version 1", got, err, acct.ID)
	}
}
