package certcmd

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	zx509 "github.com/zmap/zcrypto/x509"
	"github.com/zmap/zlint/v3"
	"github.com/zmap/zlint/v3/lint"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
)

// defaultLintSources are the lint sources run unless --include-sources says
// otherwise: the RFCs and community lints. CA/Browser Forum and root-program
// lints judge Web PKI rules (OCSP URLs, CN in SANs, 398-day limits) that a
// private CA legitimately does not follow.
const defaultLintSources = "RFC5280,RFC3279,RFC5480,RFC5891,RFC8813,Community"

type lintOptions struct {
	format  string
	include string
	exclude string
	remote  remoteFlags
}

func newLintCmd() *cobra.Command {
	var o lintOptions
	cmd := &cobra.Command{
		Use:   "lint CRT_FILE|URL",
		Short: "lint a certificate with zlint",
		Long: `Check a certificate with zlint (v3) and print every finding that is not a
pass or "not applicable", one a line: severity, lint name, details. Exits 1
when a lint reports an error or a fatal problem.

By default only RFC-based and community lints run (` + defaultLintSources + `):
the right set for a private PKI. --include-sources chooses sources (comma-
separated: RFC5280, CABF_BR, CABF_EV, Mozilla, Apple, Chrome, ...; an empty
value runs every lint, as step does) and --exclude-sources removes some.
--format json prints zlint's full result set, the form step prints.`,
		Example: `  stride certificate lint leaf.crt
  stride certificate lint leaf.crt --include-sources '' --exclude-sources CABF_EV
  stride certificate lint https://app.internal --roots root_ca.crt --format json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runLint(cmd, args[0], o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.format, "format", "text", "output format: text or json")
	f.StringVar(&o.include, "include-sources", defaultLintSources, "comma-separated lint sources to run (empty: all)")
	f.StringVar(&o.exclude, "exclude-sources", "", "comma-separated lint sources to skip")
	o.remote.register(cmd, true)
	return cmd
}

func runLint(cmd *cobra.Command, arg string, o lintOptions) error {
	if o.format != "text" && o.format != "json" {
		return cmdutil.Usagef("invalid value %q for --format: use text or json", o.format)
	}
	registry, err := lintRegistry(o.include, o.exclude)
	if err != nil {
		return err
	}
	in, err := loadArg(cmd, arg, o.remote)
	if err != nil {
		return err
	}
	if in.csr != nil {
		return fmt.Errorf("%s: is a certificate request; zlint lints certificates", arg)
	}
	zc, err := zx509.ParseCertificate(in.certs[0].Raw)
	if err != nil {
		return fmt.Errorf("%s: zlint cannot parse the certificate: %w", arg, err)
	}
	rs := zlint.LintCertificateEx(zc, registry)
	out := cmd.OutOrStdout()
	if o.format == "json" {
		if err := writeJSON(out, rs); err != nil {
			return err
		}
	} else {
		writeLintText(out, rs, registry)
	}
	if rs.ErrorsPresent || rs.FatalsPresent {
		return fmt.Errorf("%s: zlint found errors", arg)
	}
	return nil
}

func lintRegistry(include, exclude string) (lint.Registry, error) {
	var opts lint.FilterOptions
	if err := parseSources(include, &opts.IncludeSources); err != nil {
		return nil, cmdutil.Usagef("--include-sources: %v", err)
	}
	if err := parseSources(exclude, &opts.ExcludeSources); err != nil {
		return nil, cmdutil.Usagef("--exclude-sources: %v", err)
	}
	if opts.Empty() {
		return lint.GlobalRegistry(), nil
	}
	return lint.GlobalRegistry().Filter(opts)
}

// parseSources accepts only source names zlint knows, so a typo is an error
// rather than a silently empty lint run.
func parseSources(s string, dst *lint.SourceList) error {
	known := map[string]bool{}
	for _, src := range lint.GlobalRegistry().Sources() {
		known[string(src)] = true
	}
	for _, name := range strings.Split(s, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		if !known[name] {
			return fmt.Errorf("unknown lint source %q", name)
		}
		*dst = append(*dst, lint.LintSource(name))
	}
	return nil
}

// writeLintText prints the findings worth reading, most severe first.
func writeLintText(w io.Writer, rs *zlint.ResultSet, registry lint.Registry) {
	names := make([]string, 0, len(rs.Results))
	for name, r := range rs.Results {
		if r.Status > lint.Pass {
			names = append(names, name)
		}
	}
	sort.Slice(names, func(i, j int) bool {
		a, b := rs.Results[names[i]].Status, rs.Results[names[j]].Status
		if a != b {
			return a > b
		}
		return names[i] < names[j]
	})
	for _, name := range names {
		r := rs.Results[name]
		line := fmt.Sprintf("%-6s %s", strings.ToLower(r.Status.String()), name)
		if l := registry.ByName(name); l != nil {
			line += " (" + string(l.Source) + ")"
			if r.Details == "" {
				r.Details = l.Description
			}
		}
		if r.Details != "" {
			line += ": " + r.Details
		}
		fmt.Fprintln(w, line)
	}
	if len(names) == 0 {
		fmt.Fprintln(w, "no findings")
	}
}
