package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"path/filepath"
	"strings"

	_ "github.com/go-sql-driver/mysql" // the "mysql" database/sql driver
	"github.com/jackc/pgx/v5"
)

// useDB points the CA at a fresh database of kind db (badgerv2: a directory
// inside its dir; postgresql, mysql: a new stride_bench_<random> database on
// the --pg or --mysql server, which stride-ca creates on start). drop
// removes the SQL database; call it after the server stopped.
func (p *pki) useDB(ctx context.Context, db string, o *options) (drop func() error, err error) {
	nothing := func() error { return nil }
	switch db {
	case "badgerv2":
		return nothing, p.setDB(map[string]any{"type": "badgerv2", "dataSource": filepath.Join(p.dir, "db", "badger")})
	case "postgresql", "mysql":
	default:
		return nothing, p.useBolt()
	}
	name, err := benchDBName()
	if err != nil {
		return nil, err
	}
	if db == "postgresql" {
		drop = func() error { return dropPostgres(o.pgDSN, name) }
		return drop, p.setDB(map[string]any{"type": "postgresql", "dataSource": o.pgDSN, "database": name})
	}
	drop = func() error { return dropMySQL(o.myDSN, name) }
	return drop, p.setDB(map[string]any{"type": "mysql", "dataSource": o.myDSN, "database": name})
}

// benchDBName is a database name no other run uses.
func benchDBName() (string, error) {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return "stride_bench_" + hex.EncodeToString(b), nil
}

// dropPostgres drops database name on the server dsn names, connecting to
// its "postgres" maintenance database.
func dropPostgres(dsn, name string) error {
	ctx := context.Background()
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return err
	}
	cfg.Database = "postgres"
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
	return err
}

// dropMySQL drops database name on the server dsn names.
func dropMySQL(dsn, name string) error {
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.Exec("DROP DATABASE IF EXISTS `" + strings.ReplaceAll(name, "`", "``") + "`")
	return err
}
