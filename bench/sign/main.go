// Command sign is a load generator for the POST /sign API of step-ca and
// stride-ca. It pre-mints N JWK one-time tokens and EC P-256 CSRs, then fires
// them over one keep-alive HTTPS client at each concurrency in --c, checks
// every certificate, and prints certs/s, latency percentiles and, with
// --server-pid, the server's peak RSS and CPU time per certificate.
//
//	go run ./bench/sign --ca-url https://127.0.0.1:9000 --root root_ca.crt \
//	    --ca-config ca.json --provisioner bench --password-file pw \
//	    --n 5000 --c 1,8,32 --server-pid $(pgrep -n step-ca)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/stride-pki/stride/bench/sign/load"
)

type flags struct {
	caURL, root, caConfig, provisioner, passwordFile string
	n, warmup, serverPID                             int
	conc                                             []int
	format, label, client                            string
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	f, err := parseFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(stderr, "sign:", err)
		return 2
	}
	is, err := load.LoadIssuer(f.caURL, f.caConfig, f.provisioner, f.passwordFile, f.root)
	if err != nil {
		fmt.Fprintln(stderr, "sign:", err)
		return 1
	}
	var results []*load.Result
	for _, c := range f.conc {
		r, err := load.Run(ctx, is, load.Options{N: f.n, Warmup: f.warmup, Concurrency: c, ServerPID: f.serverPID, Client: f.client})
		if err != nil {
			fmt.Fprintf(stderr, "sign: c=%d: %v\n", c, err)
			return 1
		}
		r.Server = f.label
		if f.format == "text" {
			r.WriteText(stdout)
		}
		results = append(results, r)
	}
	if f.format == "json" {
		err = load.WriteJSON(stdout, results)
	} else if len(results) > 1 {
		fmt.Fprintln(stdout)
		err = load.WriteTable(stdout, results)
	}
	if err != nil {
		fmt.Fprintln(stderr, "sign:", err)
		return 1
	}
	return 0
}

func parseFlags(args []string, stderr io.Writer) (*flags, error) {
	f := &flags{}
	fs := flag.NewFlagSet("sign", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.caURL, "ca-url", "", "the CA's base URL, e.g. https://127.0.0.1:9000 (loopback only)")
	fs.StringVar(&f.root, "root", "", "the CA root PEM to trust (default: the ca.json's root)")
	fs.StringVar(&f.caConfig, "ca-config", "", "the ca.json to read the JWK provisioner from")
	fs.StringVar(&f.provisioner, "provisioner", "", "the JWK provisioner's name")
	fs.StringVar(&f.passwordFile, "password-file", "", "a file holding the provisioner password")
	fs.IntVar(&f.n, "n", 5000, "timed signs per concurrency level")
	fs.IntVar(&f.warmup, "warmup", 200, "untimed signs before each level")
	fs.IntVar(&f.serverPID, "server-pid", 0, "the CA's process ID, to read its RSS and CPU time from /proc")
	conc := fs.String("c", "1,8,32", "comma-separated concurrency levels, run in turn")
	fs.StringVar(&f.format, "format", "text", "output: text or json")
	fs.StringVar(&f.label, "label", "", "a server name for the report")
	fs.StringVar(&f.client, "client", load.ClientLean, "the HTTP client: lean (one connection per worker, the least CPU) or net/http")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	var err error
	if f.conc, err = parseConcurrency(*conc); err != nil {
		return nil, err
	}
	return f, f.validate()
}

func (f *flags) validate() error {
	switch {
	case f.caURL == "" || f.caConfig == "" || f.provisioner == "" || f.passwordFile == "":
		return errors.New("--ca-url, --ca-config, --provisioner and --password-file are required")
	case f.format != "text" && f.format != "json":
		return fmt.Errorf("--format %q: want text or json", f.format)
	case f.n <= 0 || f.warmup < 0:
		return errors.New("--n must be positive and --warmup not negative")
	}
	return load.CheckLoopback(f.caURL)
}

// parseConcurrency reads a list such as "1,8,32".
func parseConcurrency(s string) ([]int, error) {
	var out []int
	for _, p := range strings.Split(s, ",") {
		c, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || c <= 0 {
			return nil, fmt.Errorf("--c %q: want positive integers separated by commas", s)
		}
		out = append(out, c)
	}
	return out, nil
}
