package mysql

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Schema migrations. Each file migrations/NNNN_name.sql is one schema
// version; versions run from 1 without gaps, and schema_migrations records
// those applied. Files are never edited once released: a change is a new
// file.
//
// Open first reads the recorded version without any lock or DDL, so a
// replica whose schema is current starts even with a user that may not
// change the schema. Only when a version is missing does it take the
// server-wide named lock (GET_LOCK), re-read the version under it and apply
// what is still missing: two replicas starting together migrate once, the
// second finding the work done. MySQL commits each DDL statement on its own,
// so a migration is not atomic; its statements are written to be re-run
// (IF NOT EXISTS) and its version is recorded only after all of them
// succeeded, so a start that died halfway simply runs it again.

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrateLockWait bounds the wait for another process's migration. Adding
// an index to a large table can take minutes; a start blocked longer than
// this fails with a message instead of hanging.
const migrateLockWait = 5 * time.Minute

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version    INT          NOT NULL,
  name       VARCHAR(255) NOT NULL,
  applied_at DATETIME(6)  NOT NULL,
  PRIMARY KEY (version)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`

// migration is one schema version's statements.
type migration struct {
	version    int
	name       string
	statements []string
}

// migrations is the parsed embedded set; a malformed file is a build bug,
// caught by the package's tests.
var migrations, migrationsErr = loadMigrations(migrationFiles)

// loadMigrations parses every migrations/NNNN_name.sql in fsys, in version
// order, and checks the versions run 1, 2, 3, … without gaps.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, file := range names {
		base := path.Base(file)
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name is not NNNN_name.sql", base)
		}
		text, err := fs.ReadFile(fsys, file)
		if err != nil {
			return nil, err
		}
		stmts := splitStatements(string(text))
		if len(stmts) == 0 {
			return nil, fmt.Errorf("migration %s: no statements", base)
		}
		ms = append(ms, migration{version: v, name: strings.TrimSuffix(base, ".sql"), statements: stmts})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: version %d, want %d (no gaps or duplicates)", m.name, m.version, i+1)
		}
	}
	if len(ms) == 0 {
		return nil, errors.New("no migrations embedded")
	}
	return ms, nil
}

// splitStatements splits a migration file at lines that end with ';' and
// drops "--" comment lines. Our files keep semicolons out of strings and
// comments, so no SQL parser is needed (and multiStatements stays off).
func splitStatements(text string) []string {
	var stmts []string
	var cur strings.Builder
	for line := range strings.SplitSeq(text, "\n") {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "--") {
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
		if strings.HasSuffix(trimmed, ";") {
			stmts = append(stmts, strings.TrimSuffix(strings.TrimSpace(cur.String()), ";"))
			cur.Reset()
		}
	}
	if rest := strings.TrimSpace(cur.String()); rest != "" {
		stmts = append(stmts, rest)
	}
	return stmts
}

// latestVersion is the schema version this build writes.
func latestVersion() int { return migrations[len(migrations)-1].version }

// querier is what schemaVersion needs from a pool or a single connection.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// schemaVersion returns the highest applied version, 0 for a new database.
func schemaVersion(ctx context.Context, q querier) (int, error) {
	var v int
	err := q.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&v)
	if isServerError(err, erNoSuchTable) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}

// migrate brings db to latestVersion; see the comment at the top of the file.
func migrate(ctx context.Context, db *sql.DB, dbName string) error {
	if migrationsErr != nil {
		return migrationsErr
	}
	v, err := schemaVersion(ctx, db)
	if err != nil {
		return err
	}
	if err := checkVersion(v); err != nil || v == latestVersion() {
		return err
	}
	// GET_LOCK belongs to a session: lock, migrate and unlock on one connection.
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer conn.Close()
	lock := migrateLockName(dbName)
	if err := getLock(ctx, conn, lock); err != nil {
		return err
	}
	err = migrateLocked(ctx, conn)
	if rerr := releaseLock(conn, lock); err == nil {
		err = rerr
	}
	return err
}

// checkVersion refuses a schema newer than this build: writing rows an
// older build does not understand could lose data.
func checkVersion(v int) error {
	if v > latestVersion() {
		return fmt.Errorf("schema version %d is newer than this build's %d; upgrade stride-ca", v, latestVersion())
	}
	return nil
}

// migrateLocked applies, under the lock, the migrations still missing.
func migrateLocked(ctx context.Context, conn *sql.Conn) error {
	if _, err := conn.ExecContext(ctx, createMigrationsTable); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	v, err := schemaVersion(ctx, conn)
	if err != nil {
		return err
	}
	if err := checkVersion(v); err != nil {
		return err
	}
	for _, m := range migrations[v:] {
		for i, stmt := range m.statements {
			if _, err := conn.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("migration %s, statement %d: %w", m.name, i+1, err)
			}
		}
		_, err := conn.ExecContext(ctx,
			"INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, UTC_TIMESTAMP(6))",
			m.version, m.name)
		if err != nil {
			return fmt.Errorf("record migration %s: %w", m.name, err)
		}
	}
	return nil
}

// migrateLockName names the lock per database, as GET_LOCK locks are
// server-wide and databases on one server migrate independently. Lock names
// are limited to 64 characters; a longer one is cut, which at worst makes two
// databases' migrations take turns.
func migrateLockName(dbName string) string {
	name := "stride_migrate:" + dbName
	if len(name) > 64 {
		name = name[:64]
	}
	return name
}

// getLock waits up to migrateLockWait (or ctx) for the named lock.
func getLock(ctx context.Context, conn *sql.Conn, name string) error {
	var got sql.NullInt64
	err := conn.QueryRowContext(ctx, "SELECT GET_LOCK(?, ?)", name, int(migrateLockWait/time.Second)).Scan(&got)
	switch {
	case err != nil:
		return fmt.Errorf("migrate: take lock %q: %w", name, err)
	case !got.Valid || got.Int64 != 1:
		return fmt.Errorf("migrate: lock %q still held by another process after %v", name, migrateLockWait)
	}
	return nil
}

// releaseLock frees the lock. It does not use the caller's ctx: a cancelled
// start must still let others migrate. If the release fails, the connection
// is discarded instead of returned to the pool still holding the lock (the
// server frees a session's locks when it ends).
func releaseLock(conn *sql.Conn, name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := conn.ExecContext(ctx, "DO RELEASE_LOCK(?)", name); err != nil {
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		return fmt.Errorf("migrate: release lock %q: %w", name, err)
	}
	return nil
}
