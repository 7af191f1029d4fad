package cacmd

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"
)

func leafFor(notBefore, notAfter time.Time) *x509.Certificate {
	return &x509.Certificate{NotBefore: notBefore, NotAfter: notAfter, SerialNumber: big.NewInt(42)}
}

func noJitter(time.Duration) time.Duration     { return 0 }
func fullJitter(m time.Duration) time.Duration { return max(m-1, 0) }

func TestNextRenewal(t *testing.T) {
	start := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	day := leafFor(start, start.Add(24*time.Hour)) // a third is 8h, a twentieth 72m
	cases := []struct {
		name   string
		now    time.Time
		s      scheduleFlags
		jitter jitterFunc
		want   time.Duration
	}{
		{"at issue: 2/3 of the lifetime", start, scheduleFlags{}, noJitter, 16 * time.Hour},
		{"at issue: minus the largest jitter", start, scheduleFlags{}, fullJitter, 16*time.Hour - 72*time.Minute + 1},
		{"halfway", start.Add(12 * time.Hour), scheduleFlags{}, noJitter, 4 * time.Hour},
		{"a third left: now", start.Add(16 * time.Hour), scheduleFlags{}, fullJitter, 0},
		{"expired: now", start.Add(25 * time.Hour), scheduleFlags{}, noJitter, 0},
		{"close to due: jitter within what is left", start.Add(16*time.Hour - 10*time.Minute), scheduleFlags{}, fullJitter, 10*time.Minute - 1},
		{"--expires-in 2h", start, scheduleFlags{expiresIn: 2 * time.Hour}, noJitter, 22 * time.Hour},
		{"--renew-period 6h", start, scheduleFlags{period: 6 * time.Hour}, fullJitter, 6 * time.Hour},
		{"--renew-period longer than what is left", start.Add(20 * time.Hour), scheduleFlags{period: 6 * time.Hour}, noJitter, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := nextRenewal(day, tc.now, tc.s, tc.jitter); got != tc.want {
				t.Errorf("nextRenewal = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestNextRenewalJitterBounds: with the real jitter, the wait stays within
// [2/3 - 1/20, 2/3] of the lifetime and is not constant.
func TestNextRenewalJitterBounds(t *testing.T) {
	start := time.Now()
	leaf := leafFor(start, start.Add(15*time.Second))
	lo, hi := 10*time.Second-750*time.Millisecond, 10*time.Second
	seen := map[time.Duration]bool{}
	for i := 0; i < 1000; i++ {
		got := nextRenewal(leaf, start, scheduleFlags{}, randomJitter)
		if got <= lo || got > hi {
			t.Fatalf("wait %v outside (%v, %v]", got, lo, hi)
		}
		seen[got] = true
	}
	if len(seen) < 100 {
		t.Errorf("only %d distinct waits in 1000: no jitter?", len(seen))
	}
	if randomJitter(0) != 0 || randomJitter(-time.Second) != 0 {
		t.Error("jitter of a non-positive range must be 0")
	}
}

func TestDueNow(t *testing.T) {
	now := time.Now()
	leaf := leafFor(now.Add(-time.Hour), now.Add(10*time.Hour))
	cases := []struct {
		name      string
		expiresIn time.Duration
		jitter    jitterFunc
		want      bool
	}{
		{"no --expires-in: always", 0, noJitter, true},
		{"ends later than --expires-in", 8 * time.Hour, fullJitter, false},
		{"ends within --expires-in", 11 * time.Hour, noJitter, true},
		{"the jitter (up to 1/20) tips it", 9*time.Hour + 40*time.Minute, fullJitter, true},
		{"the jitter is not more than 1/20", 9*time.Hour + 20*time.Minute, fullJitter, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := dueNow(leaf, now, tc.expiresIn, tc.jitter); got != tc.want {
				t.Errorf("dueNow = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestNextBackoff(t *testing.T) {
	var d time.Duration
	var got []time.Duration
	for i := 0; i < 9; i++ {
		d = nextBackoff(d)
		got = append(got, d)
	}
	want := []time.Duration{1, 2, 4, 8, 16, 32, 60, 60, 60}
	for i := range want {
		if got[i] != want[i]*time.Second {
			t.Fatalf("backoff %v, want %v seconds", got, want)
		}
	}
}

func TestRetryWait(t *testing.T) {
	cases := []struct{ backoff, left, want time.Duration }{
		{time.Minute, 24 * time.Hour, time.Minute},
		{time.Minute, 5 * time.Minute, 30 * time.Second},
		{8 * time.Second, 5 * time.Second, time.Second},
		{time.Minute, -time.Hour, time.Minute}, // expired: plain backoff
	}
	for _, tc := range cases {
		if got := retryWait(tc.backoff, tc.left); got != tc.want {
			t.Errorf("retryWait(%v, %v) = %v, want %v", tc.backoff, tc.left, got, tc.want)
		}
	}
}

func TestParseReasonCode(t *testing.T) {
	good := map[string]int{
		"": 0, "0": 0, "1": 1, "10": 10, "unspecified": 0, "keyCompromise": 1, "key compromise": 1,
		"KeyCompromise": 1, "key-compromise": 1, "CACompromise": 2, "affiliation changed": 3, "superseded": 4,
		"Cessation Of Operation": 5, "certificateHold": 6, "removeFromCRL": 8, "privilege_withdrawn": 9, "AACompromise": 10,
	}
	for in, want := range good {
		if got, err := parseReasonCode(in); err != nil || got != want {
			t.Errorf("parseReasonCode(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"11", "-1", "compromised", "key"} {
		if _, err := parseReasonCode(in); err == nil {
			t.Errorf("parseReasonCode(%q) accepted", in)
		}
	}
}

func TestNormalizeSerial(t *testing.T) {
	good := map[string]string{"123": "123", "0x7b": "123", "0X7B": "123", " 42 ": "42"}
	for in, want := range good {
		if got, err := normalizeSerial(in); err != nil || got != want {
			t.Errorf("normalizeSerial(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "12ab", "0xzz", "-5"} {
		if _, err := normalizeSerial(in); err == nil {
			t.Errorf("normalizeSerial(%q) accepted", in)
		}
	}
}

// TestDaemonRetriesAndStops: a due certificate is renewed at once; a failure
// is retried after the backoff; the hooks run after the renewal; a
// cancelled context stops the loop without an error.
func TestDaemonRetriesAndStops(t *testing.T) {
	now := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	calls, hooks := 0, 0
	step := func(context.Context) (*x509.Certificate, error) {
		calls++
		if calls == 1 {
			return nil, errors.New("connection refused")
		}
		return leafFor(time.Now(), time.Now().Add(time.Hour)), nil
	}
	var log bytes.Buffer
	d := &daemon{name: "x.crt", step: step, log: &log, now: time.Now, jitter: noJitter,
		after: func(context.Context) { hooks++; cancel() }}
	start := time.Now()
	if err := d.run(ctx, leafFor(now.Add(-time.Hour), now.Add(-time.Minute))); err != nil {
		t.Fatal(err)
	}
	if calls != 2 || hooks != 1 {
		t.Errorf("%d renewals and %d hook runs, want 2 and 1", calls, hooks)
	}
	if el := time.Since(start); el < retryMin || el > 5*time.Second {
		t.Errorf("took %v: the retry should wait %v", el, retryMin)
	}
	for _, want := range []string{"renewing x.crt failed: connection refused; retrying in 1s", "renewed x.crt: serial 42", "stopping"} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, log.String())
		}
	}
}
