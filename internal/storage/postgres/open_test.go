package postgres

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/stride-pki/stride/internal/storage"
)

// TestOpenDatabaseName: Options.Database overrides the DSN's name (step's
// db.database), and a DSN in key=value form names its own.
func TestOpenDatabaseName(t *testing.T) {
	tests := []struct {
		name string
		dsn  func(inDSN string) string
		// override is Options.Database; empty means the DSN's name is used.
		override bool
	}{
		{"URLOverridden", func(db string) string {
			return "postgresql://postgres@127.0.0.1:5432/" + db + "?sslmode=disable"
		}, true},
		{"KeyValueOverridden", func(db string) string {
			return "host=127.0.0.1 port=5432 user=postgres dbname=" + db + " sslmode=disable"
		}, true},
		{"KeyValueOwnName", func(db string) string {
			return "host=127.0.0.1 port=5432 user=postgres dbname=" + db + " sslmode=disable"
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inDSN, override := newDatabaseName(t), newDatabaseName(t)
			opts := Options{DataSource: tt.dsn(inDSN)}
			want, notWant := inDSN, override
			if tt.override {
				opts.Database = override
				want, notWant = override, inDSN
			}
			s, err := Open(context.Background(), opts)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if !databaseExists(t, want) {
				t.Errorf("database %s was not created", want)
			}
			if databaseExists(t, notWant) {
				t.Errorf("database %s was created; want only %s", notWant, want)
			}
		})
	}
}

// TestConcurrentOpenMigratesOnce: replicas starting together on a server
// without the database all start, and each migration is applied once.
func TestConcurrentOpenMigratesOnce(t *testing.T) {
	const replicas = 8
	name := newDatabaseName(t)
	var wg sync.WaitGroup
	errs := make([]error, replicas)
	for i := range replicas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := Open(context.Background(), Options{DataSource: serverDSN, Database: name})
			if err == nil {
				err = s.Close()
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("replica %d: Open: %v", i, err)
		}
	}

	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	s := mustOpen(t, name)
	defer s.Close()
	rows, err := s.pool.Query(context.Background(),
		"SELECT version, count(*) FROM schema_migrations GROUP BY version ORDER BY version")
	if err != nil {
		t.Fatal(err)
	}
	got, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (string, error) {
		var v, n int
		err := r.Scan(&v, &n)
		return fmt.Sprintf("%d×%d", v, n), err
	})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, m := range ms {
		want = append(want, fmt.Sprintf("%d×1", m.version))
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("schema_migrations (version×count) = %v, want %v", got, want)
	}
}

// TestOpenCurrentSchemaIssuesNoDDL: once the schema is current, a role
// that may not create anything (step-ca #1892's read-only replica) opens
// the database, while on a database still to be migrated the same role is
// refused, which shows that Open would have needed DDL there.
func TestOpenCurrentSchemaIssuesNoDDL(t *testing.T) {
	ctx := context.Background()
	role := newRole(t) // first, so it is dropped after the databases
	migrated, empty := newDatabaseName(t), newDatabaseName(t)
	mustOpen(t, migrated).Close()
	if _, err := admin(t).Exec(ctx, "CREATE DATABASE "+pgx.Identifier{empty}.Sanitize()); err != nil {
		t.Fatal(err)
	}
	grantSelect(t, role, migrated, empty)
	dsn := "postgres://" + role + "@127.0.0.1:5432/?sslmode=disable"

	s, err := Open(ctx, Options{DataSource: dsn, Database: migrated})
	if err != nil {
		t.Fatalf("Open(current schema) as a role that may only SELECT: %v", err)
	}
	defer s.Close()
	if _, err := s.Certificate(ctx, "1"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Certificate = %v, want ErrNotFound", err)
	}
	if err := s.UseToken(ctx, storage.UsedToken{ID: "x"}); err == nil {
		t.Error("UseToken succeeded for a role without INSERT; the role is not read-only")
	}

	if s, err := Open(ctx, Options{DataSource: dsn, Database: empty}); err == nil {
		s.Close()
		t.Error("Open(unmigrated) succeeded for a role without CREATE; want a permission error")
	}
}

// newRole creates a login role with no privileges and drops it when the
// test ends (databases it was granted on must be gone by then).
func newRole(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	role := randomName(t, "stride_ro_")
	id := pgx.Identifier{role}.Sanitize()
	conn := admin(t)
	if _, err := conn.Exec(ctx, "CREATE ROLE "+id+" LOGIN"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := conn.Exec(ctx, "DROP ROLE IF EXISTS "+id); err != nil {
			t.Errorf("drop role %s: %v", role, err)
		}
	})
	return role
}

// grantSelect lets role read the tables of each database and nothing more.
func grantSelect(t *testing.T, role string, databases ...string) {
	t.Helper()
	ctx := context.Background()
	for _, db := range databases {
		dc, err := pgx.Connect(ctx, "postgres://postgres@127.0.0.1:5432/"+db+"?sslmode=disable")
		if err != nil {
			t.Fatal(err)
		}
		// PostgreSQL 15 grants CREATE on schema public to its owner only;
		// revoke anyway so the test means the same on older servers.
		_, err = dc.Exec(ctx, "REVOKE CREATE ON SCHEMA public FROM PUBLIC; "+
			"GRANT SELECT ON ALL TABLES IN SCHEMA public TO "+pgx.Identifier{role}.Sanitize())
		dc.Close(ctx)
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestOpenNewerSchemaRefused: a build must not run on a schema a newer
// build migrated, whose meaning it does not know.
func TestOpenNewerSchemaRefused(t *testing.T) {
	name := newDatabaseName(t)
	s := mustOpen(t, name)
	_, err := s.pool.Exec(context.Background(), "INSERT INTO schema_migrations (version, name) VALUES (9999, 'future.sql')")
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	s, err = Open(context.Background(), Options{DataSource: serverDSN, Database: name})
	if err == nil {
		s.Close()
		t.Fatal("Open succeeded on a schema at version 9999")
	}
	if !strings.Contains(err.Error(), "9999") {
		t.Errorf("error %q does not name the schema version", err)
	}
}

// TestOpenBadDataSource: start-up fails fast, in one line that names the
// address, for every way the server can be wrong.
func TestOpenBadDataSource(t *testing.T) {
	silent := silentListener(t)
	tests := []struct {
		name     string
		dsn      string
		wantText []string
	}{
		{"RefusedPort", "postgres://postgres@127.0.0.1:1/x?sslmode=disable",
			[]string{"127.0.0.1:1", "refused"}},
		{"NoAnswer", "postgres://postgres@" + silent + "/x?sslmode=disable",
			[]string{silent, "no answer within the connect timeout"}},
		{"UnknownRole", "postgres://stride_no_such_role@127.0.0.1:5432/x?sslmode=disable",
			[]string{"127.0.0.1:5432", "stride_no_such_role", "28000"}},
		{"KeyValueRefused", "host=127.0.0.1 port=1 user=postgres dbname=x sslmode=disable",
			[]string{"127.0.0.1:1"}},
	}
	const timeout = 500 * time.Millisecond
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			s, err := Open(context.Background(), Options{DataSource: tt.dsn, ConnectTimeout: timeout})
			took := time.Since(start)
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			msg := err.Error()
			t.Logf("error: %s", msg)
			if strings.Contains(msg, "\n") {
				t.Errorf("error spans several lines: %q", msg)
			}
			for _, w := range tt.wantText {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not contain %q", msg, w)
				}
			}
			// sslmode=disable: one attempt per address; allow scheduling slack.
			if took > 2*timeout+time.Second {
				t.Errorf("Open took %v; want it bounded by the %v connect timeout", took, timeout)
			}
		})
	}
}

// silentListener accepts connections and never answers, like a host whose
// firewall swallows packets; it returns its address.
func silentListener(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().String()
}

// TestOpenCancelled: a caller that gives up gets its own context error.
func TestOpenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s, err := Open(ctx, Options{DataSource: serverDSN, Database: newDatabaseName(t)})
	if err == nil {
		s.Close()
		t.Fatal("Open succeeded with a cancelled context")
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Open = %v, want context.Canceled", err)
	}
}

// TestParseConfigDefaults: with no name anywhere the database is the
// user's, as in PostgreSQL; the connect timeout is always bounded.
func TestParseConfigDefaults(t *testing.T) {
	cfg, err := parseConfig(Options{DataSource: "postgresql://stride@127.0.0.1:5432/"})
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.ConnConfig.Database; got != "stride" {
		t.Errorf("database = %q, want the user's name", got)
	}
	if got := cfg.ConnConfig.ConnectTimeout; got != DefaultConnectTimeout {
		t.Errorf("connect timeout = %v, want %v", got, DefaultConnectTimeout)
	}
	cfg, err = parseConfig(Options{DataSource: "host=127.0.0.1 user=stride connect_timeout=2"})
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.ConnConfig.ConnectTimeout; got != 2*time.Second {
		t.Errorf("connect timeout = %v, want the DSN's 2s", got)
	}
	_, err = parseConfig(Options{DataSource: "postgresql://stride:s3cret@127.0.0.1:notaport/"})
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("parse error %v: want an error that does not show the password", err)
	}
}
