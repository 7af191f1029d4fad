package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	_ "github.com/go-sql-driver/mysql" // the "mysql" database/sql driver
	"github.com/jackc/pgx/v5"

	"github.com/stride-pki/stride/internal/storage"
	"github.com/stride-pki/stride/internal/storage/badger"
	"github.com/stride-pki/stride/internal/storage/bolt"
	"github.com/stride-pki/stride/internal/storage/mysql"
	"github.com/stride-pki/stride/internal/storage/postgres"
)

// backend is one opened store and how to measure and remove it.
type backend struct {
	store  storage.Store
	o      *options
	dir    string // bbolt/Badger temp dir
	path   string // the bbolt file or the Badger dir
	dbName string // SQL database
}

func newBackend(ctx context.Context, o *options) (*backend, error) {
	b := &backend{o: o}
	var err error
	switch o.backend {
	case "bbolt", "badger":
		if b.dir, err = os.MkdirTemp(o.dir, "bench-store-"+o.backend+"-"); err != nil {
			return nil, err
		}
		if o.backend == "bbolt" {
			b.path = filepath.Join(b.dir, "stride.db")
			b.store, err = bolt.Open(b.path, bolt.Options{})
		} else {
			b.path = filepath.Join(b.dir, "badger")
			b.store, err = badger.Open(b.path, badger.Options{})
		}
		if err != nil {
			os.RemoveAll(b.dir)
			return nil, err
		}
		return b, nil
	}
	r := make([]byte, 6)
	if _, err := rand.Read(r); err != nil {
		return nil, err
	}
	b.dbName = "stride_bench_" + hex.EncodeToString(r)
	if o.backend == "postgresql" {
		b.store, err = postgres.Open(ctx, postgres.Options{DataSource: o.pgDSN, Database: b.dbName})
	} else {
		b.store, err = mysql.Open(ctx, mysql.Options{DataSource: o.myDSN, Database: b.dbName})
	}
	if err != nil {
		b.remove()
		return nil, err
	}
	return b, nil
}

// where names the database for messages.
func (b *backend) where() string {
	if b.path != "" {
		return b.path
	}
	return b.o.backend + " database " + b.dbName
}

// size closes the store (the embedded ones settle their files on Close)
// and returns the bytes it takes on disk and how they were measured.
func (b *backend) size(ctx context.Context) (int64, string, error) {
	if err := b.store.Close(); err != nil {
		return 0, "", err
	}
	switch b.o.backend {
	case "bbolt", "badger":
		n, err := dirBytes(b.dir)
		return n, "allocated blocks of the files (du), after Close", err
	case "postgresql":
		conn, err := pgx.Connect(ctx, dsnWithDatabase(b.o.pgDSN, b.dbName))
		if err != nil {
			return 0, "", err
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "VACUUM ANALYZE"); err != nil {
			return 0, "", err
		}
		var n int64
		err = conn.QueryRow(ctx, `SELECT COALESCE(sum(pg_total_relation_size(c.oid)), 0)::bigint
			FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
			WHERE c.relkind = 'r' AND s.nspname NOT IN ('pg_catalog', 'information_schema')`).Scan(&n)
		return n, "sum of pg_total_relation_size (tables, indexes, TOAST), after VACUUM ANALYZE", err
	default:
		db, err := sql.Open("mysql", b.o.myDSN)
		if err != nil {
			return 0, "", err
		}
		defer db.Close()
		tables, err := mysqlTables(ctx, db, b.dbName)
		if err != nil {
			return 0, "", err
		}
		for _, t := range tables {
			rows, err := db.QueryContext(ctx, "ANALYZE TABLE "+quoteMySQL(b.dbName)+"."+quoteMySQL(t))
			if err != nil {
				return 0, "", err
			}
			rows.Close()
		}
		var n int64
		err = db.QueryRowContext(ctx, `SELECT COALESCE(SUM(data_length + index_length), 0)
			FROM information_schema.TABLES WHERE table_schema = ?`, b.dbName).Scan(&n)
		return n, "information_schema data_length + index_length, after ANALYZE TABLE", err
	}
}

func mysqlTables(ctx context.Context, db *sql.DB, schema string) ([]string, error) {
	rows, err := db.QueryContext(ctx, "SELECT table_name FROM information_schema.TABLES WHERE table_schema = ?", schema)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// remove deletes what newBackend created. The store must be closed
// (size closes it) or the process about to exit.
func (b *backend) remove() error {
	ctx := context.Background()
	switch b.o.backend {
	case "bbolt", "badger":
		return os.RemoveAll(b.dir)
	case "postgresql":
		conn, err := pgx.Connect(ctx, dsnWithDatabase(b.o.pgDSN, "postgres"))
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		_, err = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{b.dbName}.Sanitize()+" WITH (FORCE)")
		return err
	default:
		db, err := sql.Open("mysql", b.o.myDSN)
		if err != nil {
			return err
		}
		defer db.Close()
		_, err = db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+quoteMySQL(b.dbName))
		return err
	}
}

// dsnWithDatabase returns the PostgreSQL DSN with its database set to name.
func dsnWithDatabase(dsn, name string) string {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return dsn
	}
	return fmt.Sprintf("postgres://%s@%s:%d/%s?sslmode=disable", cfg.User, cfg.Host, cfg.Port, name)
}

// quoteMySQL quotes a MySQL identifier.
func quoteMySQL(s string) string {
	out := []byte{'`'}
	for i := 0; i < len(s); i++ {
		if s[i] == '`' {
			out = append(out, '`')
		}
		out = append(out, s[i])
	}
	return string(append(out, '`'))
}

// dirBytes sums the allocated blocks of every regular file under dir (what
// du counts: preallocated or sparse files count what they occupy).
func dirBytes(dir string) (int64, error) {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		n += allocated(info)
		return nil
	})
	return n, err
}
