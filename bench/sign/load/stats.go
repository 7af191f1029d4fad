package load

import (
	"math"
	"slices"
	"time"
)

// Latency summarises request latencies (from just before the request is sent
// to its whole body read).
type Latency struct {
	P50, P90, P99, Max time.Duration
}

// Summarize sorts a copy of lat and reads its percentiles.
func Summarize(lat []time.Duration) Latency {
	s := slices.Clone(lat)
	slices.Sort(s)
	l := Latency{P50: Percentile(s, 50), P90: Percentile(s, 90), P99: Percentile(s, 99)}
	if len(s) > 0 {
		l.Max = s[len(s)-1]
	}
	return l
}

// Percentile is the nearest-rank p-th percentile of sorted (ascending): the
// smallest value with at least p% of the values at or below it. It is 0 for
// an empty slice.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(n)))
	rank = min(max(rank, 1), n)
	return sorted[rank-1]
}

// perCert divides a CPU time by a certificate count, in milliseconds.
func perCert(d time.Duration, certs int) float64 {
	if certs <= 0 {
		return 0
	}
	return float64(d) / float64(time.Millisecond) / float64(certs)
}

// ms converts a duration to fractional milliseconds for reports.
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
