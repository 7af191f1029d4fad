package mysql

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"net"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/stride-pki/stride/internal/storage"
	"github.com/stride-pki/stride/internal/storage/storagetest"
)

// The tests run against the MariaDB (or MySQL) that scripts/services.sh
// starts on loopback: root with an empty password. Each store gets a
// database of its own, dropped when the test ends. They never skip: a CA
// that promises MySQL support must prove it in every run.
const (
	serverAddr = "127.0.0.1:3306"
	rootDSN    = "root@tcp(" + serverAddr + ")/"
)

// admin returns a root connection without a database, failing the test
// with what to do when the server is not there.
func admin(t testing.TB) *sql.DB {
	t.Helper()
	db, err := sql.Open("mysql", rootDSN+"?timeout=3s")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Ping(); err != nil {
		t.Fatalf("MariaDB/MySQL is not reachable as root on %s (%v): run `bash scripts/services.sh`", serverAddr, err)
	}
	return db
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

// newDatabaseName returns a fresh stride_test_<random> name (the database
// need not exist) and drops the database when the test ends.
func newDatabaseName(t testing.TB) string {
	t.Helper()
	db := admin(t)
	name := randomName(t, "stride_test_")
	t.Cleanup(func() {
		if _, err := db.Exec("DROP DATABASE IF EXISTS " + quoteIdent(name)); err != nil {
			t.Errorf("drop test database %s: %v", name, err)
		}
	})
	return name
}

// openNew opens a store on a new database as root.
func openNew(t testing.TB) (*Store, string) {
	t.Helper()
	name := newDatabaseName(t)
	s, err := Open(context.Background(), Options{DataSource: rootDSN, Database: name})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s, name
}

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Store {
		s, _ := openNew(t)
		return s
	})
}

func TestACMEConformance(t *testing.T) {
	storagetest.RunACME(t, func(t *testing.T) storagetest.ACMEStore {
		s, _ := openNew(t)
		return s
	})
}

// tableNames lists the tables of database name.
func tableNames(t *testing.T, db *sql.DB, name string) []string {
	t.Helper()
	rows, err := db.Query("SELECT table_name FROM information_schema.tables WHERE table_schema = ?", name)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	sort.Strings(names) // in Go: the server's order depends on its collation
	return names
}

const wantTables = "[acme_accounts acme_authzs acme_eab_keys acme_orders certificate_sans certificates revocations schema_migrations used_tokens]"

// TestDatabaseOverridesDSN: step's `database` wins over a name in the DSN,
// and the database is created when absent.
func TestDatabaseOverridesDSN(t *testing.T) {
	db := admin(t)
	inDSN, override := newDatabaseName(t), newDatabaseName(t)
	s, err := Open(context.Background(), Options{DataSource: rootDSN + inDSN + "?parseTime=false", Database: override})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := strings.Join(tableNames(t, db, override), " "); "["+got+"]" != wantTables {
		t.Errorf("tables of %s = [%s], want %s", override, got, wantTables)
	}
	if got := tableNames(t, db, inDSN); len(got) != 0 {
		t.Errorf("the DSN's database got tables %v; want it untouched", got)
	}
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = ?", inDSN).Scan(&n); err != nil || n != 0 {
		t.Errorf("the DSN's database exists (%d, %v); want it not created", n, err)
	}
	// parseTime=false in the DSN must not break reading times back.
	cert := storage.Certificate{Serial: "1", DER: []byte{1}, NotAfter: time.Now()}
	if err := s.RecordIssuance(context.Background(), cert, nil); err != nil {
		t.Fatal(err)
	}
	got, err := s.Certificate(context.Background(), "1")
	if err != nil || got.NotAfter.Sub(cert.NotAfter).Abs() > time.Millisecond {
		t.Errorf("Certificate = %+v, %v; want notAfter %v", got, err, cert.NotAfter)
	}
}

// TestDatabaseFromDSN: without `database`, the DSN's name is used.
func TestDatabaseFromDSN(t *testing.T) {
	name := newDatabaseName(t)
	s, err := Open(context.Background(), Options{DataSource: rootDSN + name})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := strings.Join(tableNames(t, admin(t), name), " "); "["+got+"]" != wantTables {
		t.Errorf("tables = [%s], want %s", got, wantTables)
	}
}

func TestOptionsErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		opts Options
		want string
	}{
		{"empty", Options{}, "empty dataSource"},
		{"no database", Options{DataSource: rootDSN}, "no database name"},
		{"bad DSN", Options{DataSource: "root:secret@tcp(127.0.0.1:3306/x"}, "parse dataSource"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Open(context.Background(), c.opts)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Open = %v, want an error containing %q", err, c.want)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("error %q repeats the password", err)
			}
		})
	}
}

// wantQuickFailure opens opts and checks the failure comes within the
// timeout (plus slack) as one line naming addr and containing want.
func wantQuickFailure(t *testing.T, opts Options, addr, want string) {
	t.Helper()
	start := time.Now()
	_, err := Open(context.Background(), opts)
	elapsed := time.Since(start)
	if err == nil {
		t.Fatal("Open succeeded")
	}
	msg := err.Error()
	t.Logf("error after %v: %s", elapsed.Round(time.Millisecond), msg)
	if elapsed > opts.ConnectTimeout+time.Second {
		t.Errorf("Open took %v, want at most the %v timeout", elapsed, opts.ConnectTimeout)
	}
	if strings.Contains(msg, "\n") || !strings.Contains(msg, addr) || !strings.Contains(msg, want) {
		t.Errorf("error %q: want one line naming %s and containing %q", msg, addr, want)
	}
}

func TestUnreachableFailsFast(t *testing.T) {
	wantQuickFailure(t, Options{DataSource: "root@tcp(127.0.0.1:1)/", Database: "stride", ConnectTimeout: 2 * time.Second},
		"127.0.0.1:1", "cannot connect")
}

// TestSilentServerFailsFast: a server that accepts the connection and never
// answers the handshake must not hang Open (the dial timeout alone would).
func TestSilentServerFailsFast(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
		}
	}()
	addr := ln.Addr().String()
	wantQuickFailure(t, Options{DataSource: "root@tcp(" + addr + ")/", Database: "stride", ConnectTimeout: time.Second},
		addr, "no answer within 1s")
}

// createUser creates a user (any host) with password and privileges on
// database db, dropped when the test ends.
func createUser(t *testing.T, password, privileges, db string) string {
	t.Helper()
	a := admin(t)
	user := randomName(t, "stride_u_")
	for _, q := range []string{
		"CREATE USER '" + user + "'@'%' IDENTIFIED BY '" + password + "'",
		"GRANT " + privileges + " ON " + quoteIdent(db) + ".* TO '" + user + "'@'%'",
	} {
		if _, err := a.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	t.Cleanup(func() { a.Exec("DROP USER IF EXISTS '" + user + "'@'%'") })
	return user
}

func TestWrongPasswordFailsFast(t *testing.T) {
	name := newDatabaseName(t)
	user := createUser(t, "right-horse", "ALL PRIVILEGES", name)
	opts := Options{DataSource: user + ":wrong-staple@tcp(" + serverAddr + ")/", Database: name, ConnectTimeout: 2 * time.Second}
	wantQuickFailure(t, opts, serverAddr, "Access denied")
	_, err := Open(context.Background(), opts)
	if strings.Contains(err.Error(), "wrong-staple") {
		t.Errorf("error %q repeats the password", err)
	}
	var me *mysql.MySQLError
	if !errors.As(err, &me) || me.Number != 1045 {
		t.Errorf("error %v does not wrap the server's 1045", err)
	}

	// The right password opens (and creates) the database.
	opts.DataSource = user + ":right-horse@tcp(" + serverAddr + ")/"
	s, err := Open(context.Background(), opts)
	if err != nil {
		t.Fatalf("Open with the right password: %v", err)
	}
	s.Close()
}

// TestCancelledOpen: a done ctx stops Open with ctx.Err().
func TestCancelledOpen(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Open(ctx, Options{DataSource: rootDSN, Database: newDatabaseName(t)})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Open = %v, want context.Canceled", err)
	}
}
