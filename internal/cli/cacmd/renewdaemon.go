package cacmd

import (
	"context"
	"crypto/x509"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// Backoff of the daemon after a failed renewal: 1 s, doubling up to 1 min,
// for as long as it takes (the CA may be down for a while).
const (
	retryMin = time.Second
	retryMax = time.Minute
)

// scheduleFlags say when to renew: --expires-in, --daemon and the period
// (--renew-period, or --rekey-period for rekey).
type scheduleFlags struct {
	expiresIn time.Duration
	period    time.Duration
	daemon    bool
}

// jitterFunc returns a random duration in [0, max); max <= 0 gives 0.
type jitterFunc func(max time.Duration) time.Duration

func randomJitter(max time.Duration) time.Duration {
	if max <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(max)))
}

// nextRenewal is how long the daemon waits before renewing leaf, as step
// schedules it. With a fixed period: the period, or now if the certificate
// ends within it. Otherwise renewal is due when expiresIn (default a third of
// the lifetime) remains, minus a random jitter of up to 1/20 of the lifetime
// so that many clients do not renew at once.
func nextRenewal(leaf *x509.Certificate, now time.Time, s scheduleFlags, jitter jitterFunc) time.Duration {
	left := leaf.NotAfter.Sub(now)
	if s.period > 0 {
		if left <= s.period {
			return 0
		}
		return s.period
	}
	lifetime := leaf.NotAfter.Sub(leaf.NotBefore)
	expiresIn := s.expiresIn
	if expiresIn <= 0 {
		expiresIn = lifetime / 3
	}
	d := left - expiresIn
	switch {
	case d <= 0:
		return 0
	case d < lifetime/20:
		return jitter(d)
	default:
		return d - jitter(lifetime/20)
	}
}

// dueNow decides a one-shot renewal with --expires-in: renew when the
// certificate ends within expiresIn plus a jitter of up to expiresIn/20.
// Without --expires-in a renewal is always due.
func dueNow(leaf *x509.Certificate, now time.Time, expiresIn time.Duration, jitter jitterFunc) bool {
	if expiresIn <= 0 {
		return true
	}
	return leaf.NotAfter.Sub(now) <= expiresIn+jitter(expiresIn/20)
}

// nextBackoff doubles the wait after a failure, from retryMin to retryMax.
func nextBackoff(d time.Duration) time.Duration {
	if d < retryMin {
		return retryMin
	}
	if d *= 2; d > retryMax {
		return retryMax
	}
	return d
}

// retryWait is the pause after a failure: the backoff, but while the
// certificate is still valid at most a tenth of what is left of it (and at
// least retryMin), so that a long outage does not make the daemon miss the
// end of a short-lived certificate.
func retryWait(backoff, left time.Duration) time.Duration {
	if left <= 0 {
		return backoff
	}
	return min(backoff, max(retryMin, left/10))
}

// renewStep renews (or rekeys) once, writes the files and returns the new leaf.
type renewStep func(ctx context.Context) (*x509.Certificate, error)

// daemon keeps a certificate fresh until ctx ends (SIGINT/SIGTERM): it
// sleeps until the next renewal, renews, runs the hooks and logs one line
// per renewal on w; failures are logged and retried with backoff. SIGHUP
// renews at once.
type daemon struct {
	name   string // the certificate file, for the log
	sched  scheduleFlags
	step   renewStep
	after  func(ctx context.Context) // the --exec/--pid hooks
	log    io.Writer
	now    func() time.Time
	jitter jitterFunc
}

func (d *daemon) run(ctx context.Context, leaf *x509.Certificate) error {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	wait := nextRenewal(leaf, d.now(), d.sched, d.jitter)
	d.logf("renewing %s in %v (valid until %s)", d.name, wait.Round(time.Second), leaf.NotAfter.UTC().Format(time.RFC3339))
	var backoff time.Duration
	for {
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			d.logf("stopping: %s is not renewed any more", d.name)
			return nil
		case <-hup:
			timer.Stop()
		case <-timer.C:
		}
		next, err := d.step(ctx)
		if ctx.Err() != nil {
			continue // stopping; the loop logs it
		}
		if err != nil {
			backoff = nextBackoff(backoff)
			wait = retryWait(backoff, leaf.NotAfter.Sub(d.now()))
			d.logf("renewing %s failed: %v; retrying in %v", d.name, err, wait)
			continue
		}
		backoff, leaf = 0, next
		// A certificate too short for its schedule must not spin.
		wait = max(nextRenewal(leaf, d.now(), d.sched, d.jitter), retryMin)
		d.logf("renewed %s: serial %s, valid until %s; next renewal in %v", d.name, leaf.SerialNumber,
			leaf.NotAfter.UTC().Format(time.RFC3339), wait.Round(time.Second))
		d.after(ctx)
	}
}

func (d *daemon) logf(format string, args ...any) {
	fmt.Fprintf(d.log, "%s %s\n", d.now().UTC().Format(time.RFC3339), fmt.Sprintf(format, args...))
}
