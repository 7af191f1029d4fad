package cacmd

import (
	"context"
	"crypto/x509"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
)

type renewFlags struct {
	conn         connFlags
	hooks        hookFlags
	sched        scheduleFlags
	out          string
	passwordFile string
	force, mtls  bool
}

func newRenewCmd() *cobra.Command {
	var f renewFlags
	cmd := &cobra.Command{
		Use:   "renew CRT_FILE KEY_FILE",
		Short: "renew a certificate with the CA",
		Long: `Renew CRT_FILE (POST /renew) and write the new chain over it, or to --out. The
renewed certificate keeps the names, the key and the lifetime of the old one, with a
new serial number. Files are replaced atomically and written 0600.

The request is authenticated with the certificate itself over mTLS. With --mtls=false,
or once the certificate has expired (which the CA accepts only when its provisioner
allows renewal after expiry), a token signed by KEY_FILE is sent instead.

--expires-in renews only when the certificate ends within that duration (plus a
random jitter of up to a twentieth of it), and otherwise exits 0 without asking the
CA.

--daemon keeps running: it renews when a third of the lifetime is left (or when
--expires-in is left, or every --renew-period), minus a random jitter of up to a
twentieth of the lifetime; retries failures with a backoff from 1 s to 1 min for as
long as the CA stays away; logs each renewal on stderr; renews at once on SIGHUP; and
stops on SIGINT or SIGTERM. --exec, --pid/--pid-file and --signal tell the service
that uses the certificate after each renewal.`,
		Example: `  stride ca renew --force internal.crt internal.key
  stride ca renew --out renewed.crt internal.crt internal.key
  stride ca renew --mtls=false --force internal.crt internal.key
  stride ca renew --expires-in 8h --force internal.crt internal.key
  stride ca renew --daemon --exec "systemctl try-reload-or-restart nginx" internal.crt internal.key
  stride ca renew --daemon --renew-period 16h --pid-file /run/nginx.pid internal.crt internal.key`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRenew(cmd, &f, args[0], args[1])
		},
	}
	f.conn.register(cmd)
	f.hooks.register(cmd, "renewed")
	fl := cmd.Flags()
	fl.BoolVarP(&f.force, "force", "f", false, "overwrite the certificate file without asking")
	fl.StringVar(&f.out, "out", "", "the `file` for the new certificate (default: CRT_FILE)")
	fl.StringVar(&f.out, "output-file", "", "alias of --out")
	fl.BoolVar(&f.mtls, "mtls", true, "authenticate with mTLS; --mtls=false sends a renew token instead")
	fl.StringVar(&f.passwordFile, "password-file", "", "a `file` holding the password of an encrypted KEY_FILE")
	registerSchedule(cmd, &f.sched, "renew")
	return cmd
}

// registerSchedule adds --expires-in, --daemon and --<verb>-period.
func registerSchedule(cmd *cobra.Command, s *scheduleFlags, verb string) {
	fl := cmd.Flags()
	fl.DurationVar(&s.expiresIn, "expires-in", 0, "only "+verb+" when the certificate ends within this `duration` (e.g. 8h)")
	fl.BoolVar(&s.daemon, "daemon", false, "keep running and "+verb+" the certificate periodically")
	fl.DurationVar(&s.period, verb+"-period", 0, "with --daemon, "+verb+" every `duration` instead of at 2/3 of the lifetime")
}

func (s *scheduleFlags) check(verb string) error {
	if s.period != 0 && !s.daemon {
		return cmdutil.Usagef("--%s-period needs --daemon", verb)
	}
	if s.period < 0 || s.expiresIn < 0 {
		return cmdutil.Usagef("--%s-period and --expires-in must be positive", verb)
	}
	return nil
}

func runRenew(cmd *cobra.Command, f *renewFlags, crtFile, keyFile string) error {
	if err := f.sched.check("renew"); err != nil {
		return err
	}
	if err := f.hooks.check(); err != nil {
		return err
	}
	out := f.out
	if out == "" {
		out = crtFile
	}
	chain, key, err := loadPair(cmd, crtFile, keyFile, f.passwordFile)
	if err != nil {
		return err
	}
	r := &renewer{chain: chain, key: key, crtName: crtFile, outCert: out, mtls: f.mtls, now: time.Now}
	if f.sched.daemon {
		if r.c, err = f.conn.client(cmd); err != nil {
			return err
		}
		return runDaemon(cmd, crtFile, f.sched, &f.hooks, chain[0], r.renew)
	}
	if skipped(cmd, chain[0], f.sched.expiresIn) {
		return nil
	}
	if err := confirmOverwrite(cmd, f.force, out); err != nil {
		return err
	}
	if r.c, err = f.conn.client(cmd); err != nil {
		return err
	}
	if _, err := progress(cmd.ErrOrStderr(), "Waiting for the CA …", func() (*x509.Certificate, error) {
		return r.renew(ctxOf(cmd))
	}); err != nil {
		return err
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "Your certificate has been saved in %s.\n", out)
	f.hooks.run(ctxOf(cmd), cmd.OutOrStdout(), cmd.ErrOrStderr())
	return nil
}

// skipped reports (and says) that --expires-in leaves the certificate alone.
func skipped(cmd *cobra.Command, leaf *x509.Certificate, expiresIn time.Duration) bool {
	now := time.Now()
	if dueNow(leaf, now, expiresIn, randomJitter) {
		return false
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "certificate not renewed: expires in %s\n", leaf.NotAfter.Sub(now).Round(time.Second))
	return true
}

// runDaemon runs the renewal loop with the command's context and writers.
func runDaemon(cmd *cobra.Command, name string, s scheduleFlags, hooks *hookFlags, leaf *x509.Certificate, step renewStep) error {
	d := &daemon{name: name, sched: s, step: step, log: cmd.ErrOrStderr(), now: time.Now, jitter: randomJitter,
		after: func(ctx context.Context) { hooks.run(ctx, cmd.OutOrStdout(), cmd.ErrOrStderr()) }}
	return d.run(ctxOf(cmd), leaf)
}
