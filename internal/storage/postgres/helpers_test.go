package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// The tests run against the PostgreSQL that scripts/services.sh starts on
// loopback with trust authentication. They are never skipped: a CA whose
// SQL backend is untested is not one we ship.
const (
	serverDSN   = "postgres://postgres@127.0.0.1:5432/?sslmode=disable"
	adminDSN    = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	noServerFix = "is PostgreSQL running? start it with `bash scripts/services.sh`"
)

// admin connects to the maintenance database as a superuser.
func admin(t testing.TB) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, adminDSN)
	if err != nil {
		t.Fatalf("connect to 127.0.0.1:5432 as postgres: %v; %s", err, noServerFix)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// randomName returns prefix followed by 12 random hex digits.
func randomName(t testing.TB, prefix string) string {
	t.Helper()
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return prefix + hex.EncodeToString(b)
}

// newDatabaseName returns a database name no one uses and drops that
// database, if anything created it, when the test ends.
func newDatabaseName(t testing.TB) string {
	t.Helper()
	conn := admin(t)
	name := randomName(t, "stride_test_")
	t.Cleanup(func() {
		// FORCE: a store the test failed to close must not keep it alive.
		_, err := conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
		if err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	return name
}

// mustOpen opens database name on the test server as the superuser.
func mustOpen(t testing.TB, name string) *Store {
	t.Helper()
	s, err := Open(context.Background(), Options{DataSource: serverDSN, Database: name})
	if err != nil {
		t.Fatalf("Open: %v; %s", err, noServerFix)
	}
	return s
}

// databaseExists reports whether the server has a database called name.
func databaseExists(t testing.TB, name string) bool {
	t.Helper()
	var n int
	err := admin(t).QueryRow(context.Background(), "SELECT count(*) FROM pg_database WHERE datname = $1", name).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n == 1
}
