// Command store fills one storage backend with N synthetic certificate
// records as fast as it can (parallel RecordIssuance), then times the
// inventory queries `stride ca certificates list --expiring-within 30d` and
// `--san SUBSTRING` run through admin.Inventory, and reports the bytes the
// backend uses on disk per 100,000 certificates. Everything it creates (a
// temp dir, or a fresh per-run SQL database) is removed before it returns.
//
//	go run ./bench/store --backend bbolt|badger|postgresql|mysql --n 1000000
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

type options struct {
	backend      string
	n, workers   int
	tokens       bool
	sans         []string
	dir          string
	pgDSN, myDSN string
	keep         bool
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "store:", err)
		return 2
	}
	res, err := bench(ctx, o, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "store:", err)
		return 1
	}
	writeTable(stdout, res)
	return 0
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("store", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.backend, "backend", "bbolt", "bbolt, badger, postgresql or mysql")
	fs.IntVar(&o.n, "n", 100000, "certificate records to store")
	fs.IntVar(&o.workers, "workers", 64, "goroutines calling RecordIssuance at once")
	fs.BoolVar(&o.tokens, "tokens", false, "consume one one-time token with each record, as the sign path does (adds the token table to the bytes on disk)")
	san := fs.String("san", "svc-042.,host-777777.", "comma-separated --san substrings to time")
	fs.StringVar(&o.dir, "dir", "", "where the bbolt/Badger temp dir goes (default $TMPDIR)")
	fs.StringVar(&o.pgDSN, "pg", "postgres://postgres@127.0.0.1:5432/?sslmode=disable", "PostgreSQL server DSN (a fresh database is created and dropped)")
	fs.StringVar(&o.myDSN, "mysql", "root@tcp(127.0.0.1:3306)/", "MySQL/MariaDB server DSN (a fresh database is created and dropped)")
	fs.BoolVar(&o.keep, "keep", false, "keep the database (prints where it is)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	switch o.backend {
	case "bbolt", "badger", "postgresql", "mysql":
	case "badgerv2":
		o.backend = "badger"
	default:
		return nil, fmt.Errorf("--backend %q: want bbolt, badger, postgresql or mysql", o.backend)
	}
	if o.n <= 0 || o.workers <= 0 {
		return nil, errors.New("--n and --workers must be positive")
	}
	o.sans = splitList(*san)
	return o, nil
}

// result is one backend's figures.
type result struct {
	backend    string
	n          int
	fill       time.Duration
	queries    []queryResult
	bytes      int64
	bytesLabel string
}

// queryResult is one timed inventory query.
type queryResult struct {
	name  string
	limit int
	rows  int
	took  time.Duration
}

// bench is the whole run on one backend: open a fresh store, fill, query,
// close, measure, remove.
func bench(ctx context.Context, o *options, stderr io.Writer) (*result, error) {
	b, err := newBackend(ctx, o)
	if err != nil {
		return nil, err
	}
	defer func() {
		if o.keep {
			fmt.Fprintf(stderr, "kept %s\n", b.where())
			return
		}
		if err := b.remove(); err != nil {
			fmt.Fprintf(stderr, "store: cleanup: %v\n", err)
		}
	}()
	res := &result{backend: o.backend, n: o.n}
	now := time.Now().UTC().Truncate(time.Second)
	g, err := newGenerator(now)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(stderr, "%s: storing %d records with %d workers in %s\n", o.backend, o.n, o.workers, b.where())
	if res.fill, err = fill(ctx, b.store, g, o.n, o.workers, o.tokens, stderr); err != nil {
		b.store.Close()
		return nil, err
	}
	fmt.Fprintf(stderr, "%s: stored in %s (%.0f records/s)\n", o.backend, res.fill.Round(time.Millisecond), float64(o.n)/res.fill.Seconds())
	if res.queries, err = queries(ctx, b.store, now, o.sans, stderr); err != nil {
		b.store.Close()
		return nil, err
	}
	res.bytes, res.bytesLabel, err = b.size(ctx)
	return res, err
}

// writeTable prints one backend's figures as Markdown tables.
func writeTable(w io.Writer, r *result) {
	fmt.Fprintf(w, "| backend | records | fill s | records/s | bytes on disk | bytes per 100,000 | measured as |\n")
	fmt.Fprintf(w, "|---|--:|--:|--:|--:|--:|---|\n")
	fmt.Fprintf(w, "| %s | %d | %.1f | %.0f | %d | %s | %s |\n\n", r.backend, r.n, r.fill.Seconds(),
		float64(r.n)/r.fill.Seconds(), r.bytes, humanBytes(per100k(r.bytes, r.n)), r.bytesLabel)
	fmt.Fprintf(w, "| backend | query | limit | rows | time ms |\n")
	fmt.Fprintf(w, "|---|---|--:|--:|--:|\n")
	for _, q := range r.queries {
		limit := "all"
		if q.limit > 0 {
			limit = fmt.Sprint(q.limit)
		}
		fmt.Fprintf(w, "| %s | `%s` | %s | %d | %.1f |\n", r.backend, q.name, limit, q.rows, float64(q.took.Microseconds())/1000)
	}
}
