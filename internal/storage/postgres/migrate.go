package postgres

import (
	"context"
	"embed"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Migrations are SQL files named NNNN_what.sql, applied in version order,
// each exactly once per database, and recorded in schema_migrations. A
// released file never changes: a schema change is a new file.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrationLockKey names the advisory lock that serialises migrations
// ("Stride" and a 1 in the low bits). Advisory locks are per database, so
// CAs on different databases of one server do not wait for each other.
const migrationLockKey int64 = 0x5374_7269_6465_0001

type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations reads the embedded migrations in version order.
func loadMigrations() ([]migration, error) {
	entries, err := migrationFiles.ReadDir("migrations")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("postgres: migration %s: name must start with a positive version and '_'", e.Name())
		}
		b, err := migrationFiles.ReadFile(path.Join("migrations", e.Name()))
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i := 1; i < len(ms); i++ {
		if ms[i].version == ms[i-1].version {
			return nil, fmt.Errorf("postgres: migrations %s and %s share a version", ms[i-1].name, ms[i].name)
		}
	}
	return ms, nil
}

// migrate brings the schema up to the newest embedded migration.
//
// The common case, a current schema, is two reads: no DDL and no lock, so a
// replica whose role cannot create tables starts. Otherwise every pending
// migration runs in one transaction holding a transaction-scoped advisory
// lock: replicas starting together queue on the lock, and the ones that get
// it later find the work done. PostgreSQL's DDL is transactional, so a
// failed migration leaves the schema as it was, and the transaction-scoped
// lock cannot outlive a dropped connection.
func migrate(ctx context.Context, conn *pgx.Conn) error {
	ms, err := loadMigrations()
	if err != nil {
		return err
	}
	latest := ms[len(ms)-1].version
	current, err := schemaVersion(ctx, conn)
	if err != nil {
		return err
	}
	if current == latest {
		return nil
	}
	if current > latest {
		return fmt.Errorf("postgres: the database schema is at version %d, newer than this build knows (%d): upgrade stride-ca", current, latest)
	}
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		return applyPending(ctx, tx, ms)
	})
}

// schemaVersion returns the highest applied version, 0 for a new database.
func schemaVersion(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}) (int, error) {
	var exists bool
	if err := q.QueryRow(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&exists); err != nil {
		return 0, fmt.Errorf("postgres: read schema version: %w", err)
	}
	if !exists {
		return 0, nil
	}
	var v int
	if err := q.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("postgres: read schema version: %w", err)
	}
	return v, nil
}

// applyPending runs, under the lock, the migrations not yet applied.
func applyPending(ctx context.Context, tx pgx.Tx, ms []migration) error {
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLockKey); err != nil {
		return fmt.Errorf("postgres: lock for migration: %w", err)
	}
	_, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    integer     PRIMARY KEY,
		name       text        NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now()
	)`)
	if err != nil {
		return fmt.Errorf("postgres: create schema_migrations: %w", err)
	}
	// Read again: a replica holding the lock before us may have migrated.
	current, err := schemaVersion(ctx, tx)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if m.version <= current {
			continue
		}
		if _, err := tx.Exec(ctx, m.sql); err != nil {
			return fmt.Errorf("postgres: migration %s: %w", m.name, err)
		}
		_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.version, m.name)
		if err != nil {
			return fmt.Errorf("postgres: record migration %s: %w", m.name, err)
		}
	}
	return nil
}
