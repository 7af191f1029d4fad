package server

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync/atomic"
	"time"
)

// CertRenewer keeps the HTTPS listener's certificate fresh. The CA mints
// its own server certificate (24 h by default); like step-ca, the renewer
// re-mints it when a third of its life remains, minus a random jitter of up
// to a twentieth of its life so replicas do not all mint at once. Handshakes
// read the current certificate through GetCertificate; a failed mint keeps
// the old certificate and is retried.
type CertRenewer struct {
	mint func(context.Context) (*tls.Certificate, error)
	log  *slog.Logger
	cur  atomic.Pointer[tls.Certificate]

	// Seams for tests: the clock, timers and jitter.
	now    func() time.Time
	after  func(time.Duration) <-chan time.Time
	jitter func(max time.Duration) time.Duration
}

// NewCertRenewer mints the first certificate now, so a CA that cannot make
// its own certificate fails at start rather than on the first handshake.
func NewCertRenewer(ctx context.Context, mint func(context.Context) (*tls.Certificate, error), log *slog.Logger) (*CertRenewer, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	r := &CertRenewer{
		mint: mint, log: log, now: time.Now, after: time.After,
		jitter: func(max time.Duration) time.Duration {
			if max <= 0 {
				return 0
			}
			return rand.N(max)
		},
	}
	if err := r.renew(ctx); err != nil {
		return nil, err
	}
	return r, nil
}

// GetCertificate is the tls.Config hook.
func (r *CertRenewer) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	return r.cur.Load(), nil
}

// Current returns the certificate being served.
func (r *CertRenewer) Current() *tls.Certificate { return r.cur.Load() }

// Run re-mints until ctx is done.
func (r *CertRenewer) Run(ctx context.Context) {
	for {
		wait := r.nextRenewal(r.cur.Load())
		select {
		case <-ctx.Done():
			return
		case <-r.after(wait):
		}
		if err := r.renew(ctx); err != nil && ctx.Err() == nil {
			r.log.Error("renewing the CA's TLS certificate failed; the current one keeps serving", "error", err)
			select {
			case <-ctx.Done():
				return
			case <-r.after(retryDelay(r.cur.Load())):
			}
		}
	}
}

func (r *CertRenewer) renew(ctx context.Context) error {
	c, err := r.mint(ctx)
	if err != nil {
		return fmt.Errorf("minting the TLS server certificate: %w", err)
	}
	if c == nil || len(c.Certificate) == 0 {
		return errors.New("minting the TLS server certificate: no certificate returned")
	}
	if c.Leaf == nil {
		leaf, err := x509.ParseCertificate(c.Certificate[0])
		if err != nil {
			return fmt.Errorf("minting the TLS server certificate: %w", err)
		}
		c.Leaf = leaf
	}
	r.cur.Store(c)
	return nil
}

// nextRenewal is how long to wait before re-minting c: until a third of
// its life remains, less the jitter.
func (r *CertRenewer) nextRenewal(c *tls.Certificate) time.Duration {
	life := c.Leaf.NotAfter.Sub(c.Leaf.NotBefore)
	at := c.Leaf.NotAfter.Add(-life / 3).Add(-r.jitter(life / 20))
	if d := at.Sub(r.now()); d > 0 {
		return d
	}
	return 0
}

// retryDelay spaces retries after a failed mint: a twentieth of the
// certificate's life, between 1 s and 1 min.
func retryDelay(c *tls.Certificate) time.Duration {
	d := c.Leaf.NotAfter.Sub(c.Leaf.NotBefore) / 20
	return min(max(d, time.Second), time.Minute)
}
