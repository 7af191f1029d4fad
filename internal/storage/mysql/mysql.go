// Package mysql is the MySQL 8 / MariaDB 10.11 storage backend, for CAs
// that run several replicas against one database. It keeps real tables (see
// migrations/0001_initial.sql): certificates with indexes on subject,
// notAfter, provisioner name, issue time and renewal parent; their SANs one
// per row for search; revocations; and used one-time tokens. The ACME
// server's accounts, orders, authorizations and EAB keys have tables of
// their own (migrations/0002_acme.sql), updated by compare-and-set on a
// version column (acme.go).
//
// Single use (invariant I5) rests on primary keys, not on reads: consuming a
// token, storing a certificate or a revocation is one plain INSERT, and the
// server's duplicate-key error (1062) is what decides, mapped to
// storage.ErrTokenUsed, ErrConflict or ErrAlreadyRevoked. Nothing is read
// and then written, so REPEATABLE READ snapshots (MariaDB's and MySQL's
// default) cannot let two replicas both win; the only reads in a write
// choose which refusal to report. INSERT IGNORE is not used: it would also
// turn truncation and other errors into warnings.
//
// Racing inserts of one key can deadlock in InnoDB. A deadlock (1213) or
// lock wait timeout (1205) undoes the attempt, so the transaction runs
// again, a bounded number of times, and the statements are ordered so that
// a retry ends the race instead of joining it (see tx.go): the loser of a
// race gets its sentinel, never a server error.
//
// Times are stored as DATETIME(6) in UTC (the session time zone is set to
// UTC and the driver's location too) and come back in UTC, truncated to the
// microsecond. The zero time is stored as NULL.
package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/stride-pki/stride/internal/storage"
)

// DefaultConnectTimeout bounds Open's first connection when
// Options.ConnectTimeout is zero.
const DefaultConnectTimeout = 5 * time.Second

// Pool sizing. Every concurrent write holds a connection for its
// transaction, so the pool caps in-flight writes; idle connections are kept
// (database/sql keeps only 2 by default) so a burst does not reconnect for
// every request, and recycled before typical proxy and wait_timeout limits.
const (
	maxOpenConns    = 64
	maxIdleConns    = 64
	connMaxLifetime = 30 * time.Minute
	connMaxIdleTime = 5 * time.Minute
)

// sessionSQLMode makes the server reject what it would otherwise truncate or
// coerce (an over-long string, an invalid date), whatever the server's own
// default: a silently shortened serial or SAN would break the store's
// promise that values come back exactly.
const sessionSQLMode = "'TRADITIONAL,NO_ENGINE_SUBSTITUTION'"

// Server error numbers the store acts on.
const (
	erDupEntry        = 1062 // ER_DUP_ENTRY: a primary key exists
	erLockWaitTimeout = 1205 // ER_LOCK_WAIT_TIMEOUT: rolled back the statement (or transaction)
	erLockDeadlock    = 1213 // ER_LOCK_DEADLOCK: rolled back the transaction
	erBadDB           = 1049 // ER_BAD_DB_ERROR: unknown database
	erNoSuchTable     = 1146 // ER_NO_SUCH_TABLE
)

// Options are step's `db` settings for type "mysql" (reference §7).
type Options struct {
	// DataSource is a go-sql-driver DSN, e.g. "user:pass@tcp(host:3306)/",
	// with any of the driver's parameters.
	DataSource string
	// Database, when set, overrides the database name in DataSource. The
	// database is created when absent.
	Database string
	// ConnectTimeout bounds dialing and Open's first connection (default
	// DefaultConnectTimeout), so a wrong host fails at start instead of
	// hanging.
	ConnectTimeout time.Duration
}

// Store is a storage.Store in a MySQL or MariaDB database. Safe for
// concurrent use, also by several processes sharing the database.
type Store struct {
	db   *sql.DB
	name string // database name, for messages
}

var _ storage.Store = (*Store)(nil)

// Open connects, creates the database when it does not exist, and brings
// its schema to this build's version (see migrate.go). An unreachable
// server or refused login fails within ConnectTimeout with one line naming
// the address. A schema newer than this build is refused.
func Open(ctx context.Context, opts Options) (*Store, error) {
	cfg, err := driverConfig(opts)
	if err != nil {
		return nil, err
	}
	db, err := connect(ctx, cfg, opts.connectTimeout())
	if err != nil {
		return nil, err
	}
	if err := migrate(ctx, db, cfg.DBName); err != nil {
		db.Close()
		return nil, fmt.Errorf("mysql: database %q: %w", cfg.DBName, err)
	}
	return &Store{db: db, name: cfg.DBName}, nil
}

func (o Options) connectTimeout() time.Duration {
	if o.ConnectTimeout <= 0 {
		return DefaultConnectTimeout
	}
	return o.ConnectTimeout
}

// driverConfig parses the DSN and sets what the store relies on: the
// database name, UTC times parsed into time.Time, strict SQL mode, and a
// dial timeout. Parameters the DSN sets otherwise are kept.
func driverConfig(opts Options) (*mysql.Config, error) {
	if opts.DataSource == "" {
		return nil, errors.New("mysql: empty dataSource")
	}
	cfg, err := mysql.ParseDSN(opts.DataSource)
	if err != nil {
		// The driver's message does not repeat the DSN, which may hold a password.
		return nil, fmt.Errorf("mysql: parse dataSource: %w", err)
	}
	if opts.Database != "" {
		cfg.DBName = opts.Database
	}
	if cfg.DBName == "" {
		return nil, errors.New("mysql: no database name: set db.database or name one in dataSource (…/stride)")
	}
	cfg.ParseTime = true
	cfg.Loc = time.UTC
	cfg.Timeout = opts.connectTimeout()
	// One round trip per statement instead of prepare, execute, close. Safe:
	// the connection charset is utf8mb4, which the driver escapes for.
	cfg.InterpolateParams = true
	// DATETIME(6) keeps microseconds; truncate here so MySQL (which rounds)
	// and MariaDB (which truncates) store the same value.
	if err := cfg.Apply(mysql.TimeTruncate(time.Microsecond)); err != nil {
		return nil, fmt.Errorf("mysql: %w", err)
	}
	// A library does not write to stderr; every error is returned instead.
	cfg.Logger = &mysql.NopLogger{}
	if cfg.Params == nil {
		cfg.Params = map[string]string{}
	}
	cfg.Params["sql_mode"] = sessionSQLMode
	cfg.Params["time_zone"] = "'+00:00'"
	return cfg, nil
}

// connect opens a pool on the target database and checks that it answers
// within timeout. When the database does not exist, it is created through
// a connection without one and the check is repeated; an existing database
// gets no DDL, so a user without CREATE privileges can open it.
func connect(ctx context.Context, cfg *mysql.Config, timeout time.Duration) (*sql.DB, error) {
	db, err := ping(ctx, cfg, timeout)
	if isServerError(err, erBadDB) {
		if err := createDatabase(ctx, cfg, timeout); err != nil {
			return nil, err
		}
		db, err = ping(ctx, cfg, timeout)
	}
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(maxOpenConns)
	db.SetMaxIdleConns(maxIdleConns)
	db.SetConnMaxLifetime(connMaxLifetime)
	db.SetConnMaxIdleTime(connMaxIdleTime)
	return db, nil
}

// ping opens a pool for cfg and makes its first connection, bounded by
// timeout: the driver's dial timeout alone would not cover a server that
// accepts the connection and never answers the handshake.
func ping(ctx context.Context, cfg *mysql.Config, timeout time.Duration) (*sql.DB, error) {
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, fmt.Errorf("mysql: %w", err)
	}
	db := sql.OpenDB(conn)
	pctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		db.Close()
		return nil, connectError(ctx, cfg, timeout, err)
	}
	return db, nil
}

// connectError says in one line where Open tried to go, as whom, and why it
// failed; it never repeats the password.
func connectError(ctx context.Context, cfg *mysql.Config, timeout time.Duration, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("no answer within %v", timeout)
	}
	where := cfg.Addr
	if cfg.Net != "tcp" {
		where = cfg.Net + " " + cfg.Addr
	}
	return fmt.Errorf("mysql: cannot connect to %s as %q (database %q): %w", where, cfg.User, cfg.DBName, err)
}

// createDatabase runs CREATE DATABASE IF NOT EXISTS through a connection
// that names no database (as step-ca does).
func createDatabase(ctx context.Context, cfg *mysql.Config, timeout time.Duration) error {
	noDB := cfg.Clone()
	noDB.DBName = ""
	db, err := ping(ctx, noDB, timeout)
	if err != nil {
		return err
	}
	defer db.Close()
	stmt := "CREATE DATABASE IF NOT EXISTS " + quoteIdent(cfg.DBName) +
		" CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
	if _, err := db.ExecContext(ctx, stmt); err != nil {
		return fmt.Errorf("mysql: create database %q on %s: %w", cfg.DBName, cfg.Addr, err)
	}
	return nil
}

// quoteIdent quotes a MySQL identifier; a backtick inside is doubled.
func quoteIdent(name string) string {
	return "`" + strings.ReplaceAll(name, "`", "``") + "`"
}

// isServerError reports whether err carries the server error number.
func isServerError(err error, number uint16) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && me.Number == number
}

// Close closes the connection pool; no method may be called after it.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("mysql: close %q: %w", s.name, err)
	}
	return nil
}
