package server

import (
	"context"
	"crypto/tls"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

// TestNextRenewal checks the schedule: a third of the life before expiry,
// less the jitter, never negative.
func TestNextRenewal(t *testing.T) {
	ca := newCA(t, "CA")
	c := ca.issue(t, "srv", 24*time.Hour)
	r, err := NewCertRenewer(context.Background(), func(context.Context) (*tls.Certificate, error) { return c, nil }, nil)
	if err != nil {
		t.Fatal(err)
	}
	start := c.Leaf.NotBefore
	cases := []struct {
		name   string
		now    time.Time
		jitter time.Duration
		want   time.Duration
	}{
		{"fresh", start, 0, 16 * time.Hour},
		{"fresh, max jitter", start, 72 * time.Minute, 16*time.Hour - 72*time.Minute},
		{"later", start.Add(10 * time.Hour), 0, 6 * time.Hour},
		{"overdue", start.Add(20 * time.Hour), 0, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var asked time.Duration
			r.now = func() time.Time { return tc.now }
			r.jitter = func(max time.Duration) time.Duration { asked = max; return tc.jitter }
			if got := r.nextRenewal(c); got != tc.want {
				t.Errorf("wait %v, want %v", got, tc.want)
			}
			if asked != 72*time.Minute { // 24 h / 20
				t.Errorf("jitter bound %v", asked)
			}
		})
	}
	if d := retryDelay(c); d != time.Minute {
		t.Errorf("retry %v", d)
	}
}

// TestRenewerRemints drives Run with a fake timer: each tick mints a new
// certificate, a failed mint keeps the old one, and GetCertificate always
// answers the newest.
func TestRenewerRemints(t *testing.T) {
	ca := newCA(t, "CA")
	var minted atomic.Int32
	fail := atomic.Bool{}
	mint := func(context.Context) (*tls.Certificate, error) {
		if fail.Load() {
			return nil, errors.New("kms down")
		}
		minted.Add(1)
		return ca.issue(t, "srv", time.Hour), nil
	}
	r, err := NewCertRenewer(context.Background(), mint, nil)
	if err != nil {
		t.Fatal(err)
	}
	ticks := make(chan time.Time)
	waits := make(chan time.Duration, 10)
	r.after = func(d time.Duration) <-chan time.Time { waits <- d; return ticks }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()

	first := r.Current()
	if w := <-waits; w < 35*time.Minute || w > 41*time.Minute {
		t.Errorf("first wait %v, want about 40m minus jitter", w)
	}
	ticks <- time.Now()
	<-waits // the next schedule means the mint is done
	second, _ := r.GetCertificate(nil)
	if second == first || minted.Load() != 2 {
		t.Fatalf("not re-minted (minted %d)", minted.Load())
	}
	fail.Store(true)
	ticks <- time.Now()
	if w := <-waits; w != time.Minute {
		t.Errorf("retry wait %v, want 1m (a twentieth of 1h, capped)", w)
	}
	if r.Current() != second {
		t.Error("a failed mint replaced the certificate")
	}
	cancel()
	<-done
}

// TestRenewerShortLifetime runs the real clock with a 3 s certificate: it
// must be re-minted within about 2 s.
func TestRenewerShortLifetime(t *testing.T) {
	ca := newCA(t, "CA")
	var minted atomic.Int32
	r, err := NewCertRenewer(context.Background(), func(context.Context) (*tls.Certificate, error) {
		minted.Add(1)
		return ca.issue(t, "srv", 3*time.Second), nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go r.Run(ctx)
	deadline := time.Now().Add(5 * time.Second)
	for minted.Load() < 2 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if minted.Load() < 2 {
		t.Fatal("not re-minted in time")
	}
}

func TestRenewerFirstMintFails(t *testing.T) {
	_, err := NewCertRenewer(context.Background(), func(context.Context) (*tls.Certificate, error) {
		return nil, errors.New("no key")
	}, nil)
	if err == nil {
		t.Fatal("no error")
	}
}
