package certcmd

import (
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
)

// Exit codes of needs-renewal, as step documents them: 0 renew, 1 do not,
// 2 file missing, 255 any other error.
const (
	exitNoRenewal   = 1
	exitFileMissing = 2
	exitOtherError  = 255
)

// errNoRenewal reports "does not need renewal": a result, not a failure, but
// it must exit 1.
var errNoRenewal = errors.New("certificate does not need renewal")

type renewalOptions struct {
	expiresIn string
	bundle    bool
	verbose   bool
	remote    remoteFlags
}

func newNeedsRenewalCmd() *cobra.Command {
	var o renewalOptions
	cmd := &cobra.Command{
		Use:   "needs-renewal CRT_FILE|URL",
		Short: "exit 0 when a certificate needs renewal",
		Long: `Exit 0 when the certificate needs renewal and 1 when it does not, for use in
scripts and cron jobs. By default a certificate needs renewal once less than a
third of its lifetime remains (66% has passed). --expires-in sets the window:
a duration ("24h", "90m") or a percentage of the lifetime ("33%"). With
--bundle every certificate of the file is checked and any one needing renewal
counts. Exit codes: 0 renew, 1 no renewal needed, 2 the file does not exist,
other values for any other error.`,
		Example: `  stride certificate needs-renewal leaf.crt && stride ca renew leaf.crt leaf.key
  stride certificate needs-renewal leaf.crt --expires-in 8h
  stride certificate needs-renewal chain.crt --bundle --expires-in 10% --verbose`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runNeedsRenewal(cmd, args[0], o, time.Now())
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.expiresIn, "expires-in", "", "renewal window: a duration (e.g. 8h) or a percentage of the lifetime (e.g. 33%)")
	f.BoolVar(&o.bundle, "bundle", false, "check every certificate of the bundle")
	f.BoolVarP(&o.verbose, "verbose", "v", false, "print whether the certificate needs renewal")
	o.remote.register(cmd, false)
	return cmd
}

func runNeedsRenewal(cmd *cobra.Command, arg string, o renewalOptions, now time.Time) error {
	window, err := parseRenewalWindow(o.expiresIn)
	if err != nil {
		return err
	}
	if !isURL(arg) {
		if _, err := os.Stat(arg); errors.Is(err, os.ErrNotExist) {
			return &cmdutil.UsageError{Err: &cmdutil.ExitError{Code: exitFileMissing, Err: fmt.Errorf("%s does not exist", arg)}}
		}
	}
	in, err := loadArg(cmd, arg, o.remote)
	if err != nil {
		return &cmdutil.ExitError{Code: exitOtherError, Err: err}
	}
	if in.csr != nil {
		return &cmdutil.ExitError{Code: exitOtherError, Err: fmt.Errorf("%s: is a certificate request, not a certificate", arg)}
	}
	certs := in.certs
	if !o.bundle {
		certs = certs[:1]
	}
	for _, c := range certs {
		if window(c, now) {
			if o.verbose {
				fmt.Fprintln(cmd.OutOrStdout(), "certificate needs renewal")
			}
			return nil
		}
	}
	if o.verbose {
		fmt.Fprintln(cmd.OutOrStdout(), "certificate does not need renewal")
	}
	return &cmdutil.ExitError{Code: exitNoRenewal, Err: errNoRenewal, Silent: true}
}

// parseRenewalWindow turns --expires-in into a predicate "needs renewal at now".
func parseRenewalWindow(s string) (func(*x509.Certificate, time.Time) bool, error) {
	fraction := 1.0 / 3
	if s != "" && !strings.HasSuffix(s, "%") {
		d, err := time.ParseDuration(s)
		if err != nil {
			return nil, cmdutil.Usagef("invalid value %q for --expires-in: use a duration (8h) or a percentage (33%%)", s)
		}
		return func(c *x509.Certificate, now time.Time) bool { return c.NotAfter.Sub(now) <= d }, nil
	}
	if s != "" {
		p, err := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
		if err != nil || p < 0 || p > 100 {
			return nil, cmdutil.Usagef("invalid value %q for --expires-in: a percentage must be between 0%% and 100%%", s)
		}
		fraction = p / 100
	}
	return func(c *x509.Certificate, now time.Time) bool {
		life := c.NotAfter.Sub(c.NotBefore)
		return float64(c.NotAfter.Sub(now)) <= fraction*float64(life)
	}, nil
}
