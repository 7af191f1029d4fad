package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/stride-pki/stride/internal/storage"
)

// TestACMEWithRowPrivilegesOnly: a replica whose role may read and write
// the tables' rows, and nothing else (no DDL, no grant on any sequence),
// runs the ACME writes, order creation's sequence number included.
func TestACMEWithRowPrivilegesOnly(t *testing.T) {
	ctx := context.Background()
	role := newRole(t) // first, so it is dropped after the database
	name := newDatabaseName(t)
	mustOpen(t, name).Close()
	dc, err := pgx.Connect(ctx, "postgres://postgres@127.0.0.1:5432/"+name+"?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	_, err = dc.Exec(ctx, "REVOKE CREATE ON SCHEMA public FROM PUBLIC; "+
		"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "+pgx.Identifier{role}.Sanitize())
	dc.Close(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(ctx, Options{DataSource: "postgres://" + role + "@127.0.0.1:5432/?sslmode=disable", Database: name})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	acct := &storage.ACMEAccount{ID: "a", Provisioner: "acme", KeyID: "k", Status: "valid"}
	order := &storage.ACMEOrder{ID: "o", AccountID: "a", Status: "pending"}
	for _, err := range []error{
		s.CreateACMEAccount(ctx, acct),
		s.UpdateACMEAccount(ctx, acct),
		s.CreateACMEOrder(ctx, order, []*storage.ACMEAuthz{{ID: "z", AccountID: "a", Status: "pending"}}),
		s.UpdateACMEOrder(ctx, order),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n, err := s.PurgeACME(ctx, time.Now()); err != nil || n != 0 {
		t.Fatalf("PurgeACME = %d, %v", n, err)
	}
}
