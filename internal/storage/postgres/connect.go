package postgres

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// SQLSTATE codes Open and the store act on.
const (
	codeInvalidCatalogName = "3D000" // the database does not exist
	codeDuplicateDatabase  = "42P04" // CREATE DATABASE lost a race
	codeUniqueViolation    = "23505" // so may this, on pg_database's name index
)

// maintenanceDatabases are where CREATE DATABASE is sent from, in order.
// "postgres" first: template1 is the template CREATE DATABASE copies, and
// copying fails while another session (a second replica creating the same
// database) is connected to it.
var maintenanceDatabases = []string{"postgres", "template1"}

// parseConfig turns Options into a pool config: the DSN parsed as libpq
// would (URL or key=value), the database name overridden, a bounded connect
// timeout. Parse errors from pgx redact the password.
func parseConfig(opts Options) (*pgxpool.Config, error) {
	cfg, err := pgxpool.ParseConfig(opts.DataSource)
	if err != nil {
		return nil, fmt.Errorf("postgres: dataSource: %w", err)
	}
	cc := cfg.ConnConfig
	if opts.Database != "" {
		cc.Database = opts.Database
	}
	if cc.Database == "" {
		// PostgreSQL's own default, made explicit so CREATE DATABASE can name it.
		cc.Database = cc.User
	}
	if cc.Database == "" {
		return nil, errors.New("postgres: no database name: set db.database or name one in db.dataSource")
	}
	switch {
	case opts.ConnectTimeout > 0:
		cc.ConnectTimeout = opts.ConnectTimeout
	case cc.ConnectTimeout == 0:
		cc.ConnectTimeout = DefaultConnectTimeout
	}
	return cfg, nil
}

// createDatabase creates the target database from a maintenance database.
// Two replicas starting on an empty server both get here; the loser's
// duplicate error means the database exists, which is all it wanted.
func createDatabase(ctx context.Context, cfg *pgxpool.Config) error {
	var conn *pgx.Conn
	var err error
	mc := cfg.ConnConfig.Copy()
	for _, name := range maintenanceDatabases {
		mc.Database = name
		conn, err = pgx.ConnectConfig(ctx, mc)
		if !isCode(err, codeInvalidCatalogName) {
			break
		}
	}
	if err != nil {
		return connectFailure(ctx, mc, err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	name := cfg.ConnConfig.Database
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	if err != nil && !isCode(err, codeDuplicateDatabase) && !isCode(err, codeUniqueViolation) {
		return fmt.Errorf("postgres: create database %q: %w", name, err)
	}
	return nil
}

// isCode reports whether err carries the SQLSTATE code.
func isCode(err error, code string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == code
}

// connectError is a failed connection, told in one line that names the
// address, user and database (never the password) and the first cause.
// pgx's own message repeats the user and database and spreads one error per
// host over several lines; Unwrap still gives pgx's error, so errors.As finds
// a *pgconn.PgError and errors.Is finds context.DeadlineExceeded.
type connectError struct {
	addr, user, database string
	timedOut             bool
	err                  error
}

func (e *connectError) Error() string {
	cause := innermost(e.err)
	if e.timedOut {
		cause = "no answer within the connect timeout"
	}
	return fmt.Sprintf("postgres: cannot connect to %s as user %q (database %q): %s",
		e.addr, e.user, e.database, oneLine(cause))
}

func (e *connectError) Unwrap() error { return e.err }

// connectFailure wraps an error connecting with cc; a cancelled or expired ctx of
// the caller's own is returned as such.
func connectFailure(ctx context.Context, cc *pgx.ConnConfig, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("postgres: connect: %w", ctxErr)
	}
	return &connectError{
		addr:     addresses(&cc.Config),
		user:     cc.User,
		database: cc.Database,
		timedOut: errors.Is(err, context.DeadlineExceeded) || pgconn.Timeout(err),
		err:      err,
	}
}

// addresses lists host:port for the DSN's host and its fallbacks.
func addresses(c *pgconn.Config) string {
	addrs := []string{net.JoinHostPort(c.Host, strconv.Itoa(int(c.Port)))}
	for _, fb := range c.Fallbacks {
		a := net.JoinHostPort(fb.Host, strconv.Itoa(int(fb.Port)))
		if a != addrs[len(addrs)-1] {
			addrs = append(addrs, a)
		}
	}
	return strings.Join(addrs, ",")
}

// innermost returns the message of a server error when there is one (it is
// what an operator can act on: "password authentication failed for user
// …"), else of the deepest wrapped error of the first host tried.
func innermost(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Message + " (SQLSTATE " + pgErr.Code + ")"
	}
	for {
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			if next := u.Unwrap(); next != nil {
				err = next
				continue
			}
		case interface{ Unwrap() []error }:
			if errs := u.Unwrap(); len(errs) > 0 {
				err = errs[0]
				continue
			}
		}
		return err.Error()
	}
}

// oneLine folds a multi-line message so a start-up failure is one log line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
