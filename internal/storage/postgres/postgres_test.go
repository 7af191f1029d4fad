package postgres

import (
	"context"
	"testing"

	"github.com/stride-pki/stride/internal/storage"
	"github.com/stride-pki/stride/internal/storage/storagetest"
)

// TestConformance runs the shared suite on one fresh database per run: the
// first open creates and migrates it, and every open after that empties
// the tables (the suite runs its subtests one at a time).
func TestConformance(t *testing.T) {
	name := newDatabaseName(t)
	storagetest.Run(t, func(t *testing.T) storage.Store {
		s := mustOpen(t, name)
		_, err := s.pool.Exec(context.Background(), "TRUNCATE "+allTables)
		if err != nil {
			s.Close()
			t.Fatalf("empty the tables: %v", err)
		}
		return s
	})
}

// allTables are the tables a conformance run empties between subtests.
const allTables = "certificates, revocations, used_tokens, acme_accounts, acme_orders, acme_authzs, acme_eab_keys"

// TestACMEConformance runs the ACME suite as TestConformance runs the
// shared one.
func TestACMEConformance(t *testing.T) {
	name := newDatabaseName(t)
	storagetest.RunACME(t, func(t *testing.T) storagetest.ACMEStore {
		s := mustOpen(t, name)
		if _, err := s.pool.Exec(context.Background(), "TRUNCATE "+allTables); err != nil {
			s.Close()
			t.Fatalf("empty the tables: %v", err)
		}
		return s
	})
}
