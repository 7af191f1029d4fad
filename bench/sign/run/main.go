// Command run benchmarks POST /sign on step-ca (Badger and bbolt) and, when
// given, stride-ca, side by side in one run. Each server gets its own PKI in
// a temp dir made by the real `step ca init`, is started on a free loopback
// port, and is loaded at each concurrency level by bench/sign/load with its
// PID, so the table shows its peak RSS and CPU time per certificate. Every
// server it started is stopped before it returns.
//
//	go run ./bench/sign/run --n 5000 --c 1,8,32 [--stride-ca bin/stride-ca]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/stride-pki/stride/bench/sign/load"
)

// spec is one server of the comparison.
type spec struct {
	name     string
	bin      string
	bolt     bool   // replace step's default Badger database with bbolt
	db       string // stride's database when not bbolt: badgerv2, postgresql or mysql
	optional bool   // a failure to start is a note, not an error
}

type options struct {
	step, stepCA, strideCA string
	servers                []string
	conc                   []int
	n, warmup              int
	format, tmp, client    string
	keep                   bool
	strideDB               []string // --stride-db: one stride run per backend
	pgDSN, myDSN           string
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
		fmt.Fprintln(stderr, "run:", err)
		return 2
	}
	var results []*load.Result
	code := 0
	for _, s := range o.specs(stderr) {
		rs, err := benchServer(ctx, s, o, stderr)
		results = append(results, rs...)
		switch {
		case err != nil && s.optional:
			fmt.Fprintf(stderr, "note: %s skipped: %v\n", s.name, err)
		case err != nil:
			fmt.Fprintf(stderr, "run: %s: %v\n", s.name, err)
			code = 1
		}
		if ctx.Err() != nil {
			return 1
		}
	}
	if o.format == "json" {
		err = load.WriteJSON(stdout, results)
	} else if len(results) == 0 {
		fmt.Fprintln(stdout, "no results")
	} else {
		err = load.WriteTable(stdout, results)
		writeRatios(stdout, results)
	}
	if err != nil {
		fmt.Fprintln(stderr, "run:", err)
		return 1
	}
	return code
}

// specs lists the servers to run, in order; stride-ca only with its binary.
func (o *options) specs(stderr io.Writer) []spec {
	all := map[string]spec{
		"step-badger": {name: "step-badger", bin: o.stepCA},
		"step-bbolt":  {name: "step-bbolt", bin: o.stepCA, bolt: true},
		"stride":      {name: "stride", bin: o.strideCA, bolt: true, optional: true},
	}
	var out []spec
	for _, name := range o.servers {
		s := all[name]
		if name == "stride" && o.strideCA == "" {
			fmt.Fprintln(stderr, "note: stride skipped: no --stride-ca binary given")
			continue
		}
		if name != "stride" {
			out = append(out, s)
			continue
		}
		dbs := o.strideDB
		if len(dbs) == 0 {
			dbs = []string{"bbolt"}
		}
		for _, db := range dbs {
			s := s
			if db != "bbolt" {
				s.name, s.bolt, s.db = "stride-"+db, false, db
			}
			out = append(out, s)
		}
	}
	return out
}

// benchServer is one server's whole life: a fresh PKI, start, wait for
// /health, every concurrency level, stop, and the directory removed unless
// --keep.
func benchServer(ctx context.Context, s spec, o *options, stderr io.Writer) ([]*load.Result, error) {
	dir, err := os.MkdirTemp(o.tmp, "bench-"+s.name+"-")
	if err != nil {
		return nil, err
	}
	if o.keep {
		fmt.Fprintf(stderr, "%s: files in %s\n", s.name, dir)
	} else {
		defer os.RemoveAll(dir)
	}
	p, err := initPKI(ctx, o.step, dir)
	if err != nil {
		return nil, err
	}
	if s.bolt {
		if err := p.useBolt(); err != nil {
			return nil, err
		}
	}
	if s.db != "" {
		drop, err := p.useDB(ctx, s.db, o)
		if err != nil {
			return nil, err
		}
		// Runs after the server's stop (deferred below, so earlier).
		defer func() {
			if err := drop(); err != nil {
				fmt.Fprintf(stderr, "%s: dropping its database: %v\n", s.name, err)
			}
		}()
	}
	pr, err := startServer(s.bin, p)
	if err != nil {
		return nil, err
	}
	defer pr.stop()
	if err := waitHealthy(ctx, pr, p); err != nil {
		return nil, err
	}
	return levels(ctx, s, o, p, pr.PID(), stderr)
}

// levels runs each concurrency level against a started server. Tokens are
// minted here, after the server started (step-ca rejects an iat before its
// start).
func levels(ctx context.Context, s spec, o *options, p *pki, pid int, stderr io.Writer) ([]*load.Result, error) {
	is, err := load.LoadIssuer(p.URL(), p.caJSON, provisionerName, p.password, p.root)
	if err != nil {
		return nil, err
	}
	var out []*load.Result
	for _, c := range o.conc {
		r, err := load.Run(ctx, is, load.Options{N: o.n, Warmup: o.warmup, Concurrency: c, ServerPID: pid, Client: o.client})
		if err != nil {
			return out, fmt.Errorf("c=%d: %w", c, err)
		}
		r.Server = s.name
		fmt.Fprintf(stderr, "%s c=%d: %.0f certs/s, p99 %.1f ms, %d errors\n", s.name, c, r.CertsPerSec, r.P99, r.Errors)
		out = append(out, r)
	}
	return out, nil
}

// writeRatios prints stride's throughput against step-ca on Badger at each
// level both ran (issue 3's target is at least 2x at c=32).
func writeRatios(w io.Writer, rs []*load.Result) {
	base := map[int]*load.Result{}
	for _, r := range rs {
		if r.Server == "step-badger" {
			base[r.Concurrency] = r
		}
	}
	for _, r := range rs {
		if b := base[r.Concurrency]; strings.HasPrefix(r.Server, "stride") && b != nil && b.CertsPerSec > 0 {
			fmt.Fprintf(w, "%s / step-badger certs/s at c=%d: %.2fx\n", r.Server, r.Concurrency, r.CertsPerSec/b.CertsPerSec)
		}
	}
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.step, "step", "", "the step CLI (default: $PATH, then .tools/bin/step)")
	fs.StringVar(&o.stepCA, "step-ca", "", "step-ca v0.30.2 (default: $PATH, then .tools/bin/step-ca)")
	fs.StringVar(&o.strideCA, "stride-ca", "", "a stride-ca binary to compare; skipped when empty or when it fails to start")
	servers := fs.String("servers", "step-badger,step-bbolt,stride", "which servers to run, in order")
	conc := fs.String("c", "1,8,32", "comma-separated concurrency levels")
	fs.IntVar(&o.n, "n", 5000, "timed signs per level")
	fs.IntVar(&o.warmup, "warmup", 200, "untimed signs before each level")
	fs.StringVar(&o.format, "format", "text", "output: text or json")
	fs.StringVar(&o.client, "client", load.ClientLean, "the HTTP client: lean (one connection per worker, the least CPU) or net/http")
	fs.StringVar(&o.tmp, "dir", "", "where to make each server's temp dir (default $TMPDIR); its disk is what fsync pays for")
	fs.BoolVar(&o.keep, "keep", false, "keep each server's temp dir (PKI, database, server.log)")
	strideDB := fs.String("stride-db", "bbolt", "comma-separated databases to run stride on, one run each: bbolt, badgerv2, postgresql, mysql")
	fs.StringVar(&o.pgDSN, "pg", "postgres://postgres@127.0.0.1:5432/?sslmode=disable", "PostgreSQL server for --stride-db postgresql (a fresh database per run, dropped after)")
	fs.StringVar(&o.myDSN, "mysql", "root@tcp(127.0.0.1:3306)/", "MySQL/MariaDB server for --stride-db mysql (a fresh database per run, dropped after)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if err := o.finish(*servers, *conc); err != nil {
		return nil, err
	}
	for _, db := range strings.Split(*strideDB, ",") {
		switch db = strings.TrimSpace(db); db {
		case "bbolt", "badgerv2", "postgresql", "mysql":
			o.strideDB = append(o.strideDB, db)
		default:
			return nil, fmt.Errorf("--stride-db: unknown database %q (want bbolt, badgerv2, postgresql, mysql)", db)
		}
	}
	return o, nil
}

// finish parses the list flags, checks the rest and finds the tools.
func (o *options) finish(servers, conc string) error {
	var err error
	if o.conc, err = parseInts(conc); err != nil {
		return fmt.Errorf("--c: %w", err)
	}
	for _, s := range strings.Split(servers, ",") {
		if s = strings.TrimSpace(s); s != "step-badger" && s != "step-bbolt" && s != "stride" {
			return fmt.Errorf("--servers: unknown server %q (want step-badger, step-bbolt, stride)", s)
		}
		o.servers = append(o.servers, strings.TrimSpace(s))
	}
	if o.n <= 0 || o.warmup < 0 || (o.format != "text" && o.format != "json") {
		return errors.New("--n must be positive, --warmup not negative, --format text or json")
	}
	if o.step, err = findTool(o.step, "step"); err != nil {
		return err
	}
	o.stepCA, err = findTool(o.stepCA, "step-ca")
	return err
}

// findTool returns path when set, else name on $PATH, else .tools/bin/name
// (where `make tools` installs it).
func findTool(path, name string) (string, error) {
	if path != "" {
		return path, nil
	}
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	local := filepath.Join(".tools", "bin", name)
	if _, err := os.Stat(local); err == nil {
		return filepath.Abs(local)
	}
	return "", fmt.Errorf("%s not found: run `make tools` or pass --%s", name, name)
}

func parseInts(s string) ([]int, error) {
	var out []int
	for _, p := range strings.Split(s, ",") {
		c, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || c <= 0 {
			return nil, fmt.Errorf("%q: want positive integers separated by commas", s)
		}
		out = append(out, c)
	}
	return out, nil
}
