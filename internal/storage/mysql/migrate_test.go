package mysql

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stride-pki/stride/internal/storage"
)

func TestEmbeddedMigrationsParse(t *testing.T) {
	if migrationsErr != nil {
		t.Fatal(migrationsErr)
	}
	for _, m := range migrations {
		for i, stmt := range m.statements {
			if strings.Contains(stmt, ";") {
				t.Errorf("%s statement %d still holds a ';' (split failed?): %q", m.name, i+1, stmt)
			}
		}
	}
}

func TestLoadMigrations(t *testing.T) {
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	for _, c := range []struct {
		name  string
		files fstest.MapFS
		want  string // error substring; "" for success
	}{
		{"ok", fstest.MapFS{
			"migrations/0002_b.sql": file("CREATE TABLE b (x INT);\n"),
			"migrations/0001_a.sql": file("-- comment; not a statement\nCREATE TABLE a (\n x INT\n);\nCREATE INDEX i ON a (x);\n"),
		}, ""},
		{"gap", fstest.MapFS{
			"migrations/0001_a.sql": file("SELECT 1;"),
			"migrations/0003_c.sql": file("SELECT 1;"),
		}, "want 2"},
		{"duplicate", fstest.MapFS{
			"migrations/0001_a.sql": file("SELECT 1;"),
			"migrations/0001_b.sql": file("SELECT 1;"),
		}, "want 2"},
		{"bad name", fstest.MapFS{"migrations/first.sql": file("SELECT 1;")}, "NNNN_name.sql"},
		{"empty file", fstest.MapFS{"migrations/0001_a.sql": file("-- nothing\n")}, "no statements"},
		{"none", fstest.MapFS{}, "no migrations"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ms, err := loadMigrations(c.files)
			if c.want != "" {
				if err == nil || !strings.Contains(err.Error(), c.want) {
					t.Fatalf("loadMigrations = %v, want an error containing %q", err, c.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := fmt.Sprintf("%d %s %q %d %s %q", ms[0].version, ms[0].name, ms[0].statements,
				ms[1].version, ms[1].name, ms[1].statements)
			want := `1 0001_a ["CREATE TABLE a (\n x INT\n)" "CREATE INDEX i ON a (x)"] 2 0002_b ["CREATE TABLE b (x INT)"]`
			if got != want {
				t.Errorf("got  %s\nwant %s", got, want)
			}
		})
	}
}

// appliedVersions returns schema_migrations' versions in database name.
func appliedVersions(t *testing.T, name string) []int {
	t.Helper()
	rows, err := admin(t).Query("SELECT version FROM " + quoteIdent(name) + ".schema_migrations ORDER BY version")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var vs []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		vs = append(vs, v)
	}
	return vs
}

// TestConcurrentOpensMigrateOnce: replicas starting together on a new
// database all open it, and each migration is recorded once.
func TestConcurrentOpensMigrateOnce(t *testing.T) {
	const replicas = 8
	name := newDatabaseName(t)
	var wg sync.WaitGroup
	stores := make([]*Store, replicas)
	errs := make([]error, replicas)
	start := make(chan struct{})
	for i := range replicas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			stores[i], errs[i] = Open(context.Background(), Options{DataSource: rootDSN, Database: name})
		}()
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("replica %d: Open: %v", i, err)
		}
		defer stores[i].Close()
	}
	if got, want := fmt.Sprint(appliedVersions(t, name)), fmt.Sprint(allVersions()); got != want {
		t.Errorf("schema_migrations versions = %s, want %s", got, want)
	}
	// All replicas share one working schema.
	cert := storage.Certificate{Serial: "42", DER: []byte{1}, NotAfter: time.Now()}
	if err := stores[0].RecordIssuance(context.Background(), cert, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := stores[replicas-1].Certificate(context.Background(), "42"); err != nil {
		t.Fatal(err)
	}
}

func allVersions() []int {
	var vs []int
	for _, m := range migrations {
		vs = append(vs, m.version)
	}
	return vs
}

// TestCurrentSchemaNeedsNoDDL: a replica whose user may read and write rows
// but not change the schema opens a migrated database (as a read-only
// replica must), and is refused with a clear error on an empty one. Rows
// are written with INSERT, DELETE and, for ACME's optimistic updates,
// UPDATE.
func TestCurrentSchemaNeedsNoDDL(t *testing.T) {
	s, name := openNew(t)
	s.Close()
	user := createUser(t, "pw", "SELECT, INSERT, UPDATE, DELETE", name)
	opts := Options{DataSource: user + ":pw@tcp(" + serverAddr + ")/", Database: name}
	s, err := Open(context.Background(), opts)
	if err != nil {
		t.Fatalf("Open with a DML-only user on a current schema: %v", err)
	}
	defer s.Close()
	if err := s.UseToken(context.Background(), storage.UsedToken{ID: "t"}); err != nil {
		t.Fatal(err)
	}
	acct := &storage.ACMEAccount{ID: "a", Provisioner: "acme", KeyID: "k", Status: "valid"}
	if err := s.CreateACMEAccount(context.Background(), acct); err != nil {
		t.Fatal(err)
	}
	acct.Status = "deactivated"
	if err := s.UpdateACMEAccount(context.Background(), acct); err != nil {
		t.Fatal(err)
	}

	empty := newDatabaseName(t)
	if _, err := admin(t).Exec("CREATE DATABASE " + quoteIdent(empty)); err != nil {
		t.Fatal(err)
	}
	opts.DataSource = createUser(t, "pw", "SELECT, INSERT, UPDATE, DELETE", empty) + ":pw@tcp(" + serverAddr + ")/"
	opts.Database = empty
	_, err = Open(context.Background(), opts)
	t.Logf("unmigrated, no DDL rights: %v", err)
	if err == nil || !strings.Contains(err.Error(), "schema_migrations") || !strings.Contains(err.Error(), empty) {
		t.Fatalf("Open of an unmigrated database without DDL rights = %v; want an error naming it and schema_migrations", err)
	}
}

// TestNewerSchemaIsRefused: an older build must not write into a schema it
// does not know.
func TestNewerSchemaIsRefused(t *testing.T) {
	s, name := openNew(t)
	s.Close()
	next := latestVersion() + 1
	if _, err := admin(t).Exec("INSERT INTO "+quoteIdent(name)+".schema_migrations VALUES (?, 'future', NOW(6))", next); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), Options{DataSource: rootDSN, Database: name})
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("schema version %d is newer", next)) {
		t.Fatalf("Open = %v, want a newer-schema error", err)
	}
}

// TestLockIsReleased: after Open migrated, another session can take the
// migration lock at once (no connection went back to the pool holding it).
func TestLockIsReleased(t *testing.T) {
	s, name := openNew(t)
	defer s.Close()
	var got int
	lock := migrateLockName(name)
	if err := admin(t).QueryRow("SELECT IS_FREE_LOCK(?)", lock).Scan(&got); err != nil || got != 1 {
		t.Fatalf("IS_FREE_LOCK(%q) = %d, %v; want 1", lock, got, err)
	}
}

func TestMigrateLockName(t *testing.T) {
	if got := migrateLockName("ca"); got != "stride_migrate:ca" {
		t.Errorf("lock name = %q", got)
	}
	if got := migrateLockName(strings.Repeat("x", 64)); len(got) != 64 {
		t.Errorf("lock name for a 64-character database has %d bytes, want 64", len(got))
	}
}
