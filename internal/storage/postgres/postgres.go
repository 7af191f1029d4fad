// Package postgres is the PostgreSQL storage backend (step's db type
// "postgresql"), for CAs that run several replicas on one database.
//
// Records live in real tables with indexes (see migrations/), so listings
// and expiry reports are queries. Single use is decided by the database, not
// by the process: every consume is an INSERT … ON CONFLICT DO NOTHING whose
// affected-row count says who won, so two replicas racing on one token get
// one success and one storage.ErrTokenUsed, never a server error. Nothing
// reads a row and then writes on the strength of that read, so the default
// READ COMMITTED isolation is enough: the ACME records' optimistic updates
// (acme.go) put the version they read in the UPDATE's WHERE clause, which
// the server re-checks under the row lock.
//
// Open creates the database when it is absent and applies the embedded
// schema migrations under an advisory lock (see migrate.go); when the schema
// is already current it issues no DDL and takes no lock, so a replica whose
// role may only read and write rows starts too (step-ca #1892).
package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/stride-pki/stride/internal/storage"
)

// DefaultConnectTimeout bounds each connection attempt when neither
// Options.ConnectTimeout nor the DSN's connect_timeout is set: an unreachable
// host must fail start-up with a clear line, not hang it.
const DefaultConnectTimeout = 5 * time.Second

// Options says where the database is; it mirrors step's db config.
type Options struct {
	// DataSource is a libpq/pgx DSN, as a URL
	// ("postgresql://user:pass@127.0.0.1:5432/stride?sslmode=disable") or
	// as key=value pairs ("host=127.0.0.1 user=stride"). pgx also reads the
	// libpq PG* environment variables for anything the DSN leaves out, and
	// its pool settings such as pool_max_conns (default: the larger of 4
	// and the number of CPUs).
	DataSource string
	// Database, when set, overrides any database name in DataSource. With
	// neither, PostgreSQL's rule applies: the database named like the user.
	Database string
	// ConnectTimeout bounds each connection attempt; zero takes the DSN's
	// connect_timeout, else DefaultConnectTimeout.
	ConnectTimeout time.Duration
}

// Store is a storage.Store on a pgx connection pool.
type Store struct {
	pool *pgxpool.Pool
}

var _ storage.Store = (*Store)(nil)

// Open connects to the database Options describe, creating it when absent,
// and brings its schema up to date. It fails with one line naming the
// server's address when the server cannot be reached or refuses the
// credentials, within the connect timeout.
func Open(ctx context.Context, opts Options) (*Store, error) {
	cfg, err := parseConfig(opts)
	if err != nil {
		return nil, err
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if err := prepare(ctx, pool, cfg); err != nil {
		pool.Close()
		return nil, err
	}
	return &Store{pool: pool}, nil
}

// prepare makes sure the database exists and its schema is current. The
// pool connects lazily, so the first Acquire is where a bad address or
// password shows up.
func prepare(ctx context.Context, pool *pgxpool.Pool, cfg *pgxpool.Config) error {
	conn, err := pool.Acquire(ctx)
	if isCode(err, codeInvalidCatalogName) {
		if err := createDatabase(ctx, cfg); err != nil {
			return err
		}
		conn, err = pool.Acquire(ctx)
	}
	if err != nil {
		return connectFailure(ctx, cfg.ConnConfig, err)
	}
	defer conn.Release()
	return migrate(ctx, conn.Conn())
}

// Close closes the pool, waiting for connections in use to be returned.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// Caller bugs, rejected before any statement.
var (
	errEmptySerial  = errors.New("postgres: empty serial")
	errEmptyTokenID = errors.New("postgres: empty token ID")
)
