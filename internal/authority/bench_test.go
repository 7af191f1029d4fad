package authority

import (
	"context"
	"crypto/x509"
	"fmt"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stride-pki/stride/internal/storage"
)

// BenchmarkSign is the authority's share of POST /sign as bench/sign drives
// it: a JWK token and a P-256 CSR per certificate, step's built-in leaf, a
// bbolt store. Tokens and CSRs are made before the clock; each iteration
// verifies both signatures, signs and commits. ns/op is mostly the fsync
// (sequential calls commit one by one); cpu-ns/op, the process's user and
// system CPU per certificate, is the figure to compare (bench/README.md,
// "Profiling the server"). The Parallel variant runs 32 callers, so
// commits are grouped as under bench/sign's c=32.
func BenchmarkSign(b *testing.B) { benchSign(b, 1, false) }

func BenchmarkSignParallel(b *testing.B) { benchSign(b, 16, false) }

// BenchmarkSignNoStore leaves out the store (RecordIssuance does nothing), so
// ns/op is the CPU of verifying, building and signing alone, without the
// fsync's noise.
func BenchmarkSignNoStore(b *testing.B) { benchSign(b, 1, true) }

// discardStore records nothing; only benchmarks use it.
type discardStore struct{ storage.Store }

func (discardStore) RecordIssuance(context.Context, storage.Certificate, *storage.UsedToken) error {
	return nil
}

func benchSign(b *testing.B, parallelism int, noStore bool) {
	c := newTestCA(b, nil)
	if noStore {
		c.a.store = discardStore{c.a.store}
	}
	type req struct {
		csr *x509.CertificateRequest
		ott string
	}
	reqs := make([]req, b.N)
	for i := range reqs {
		name := fmt.Sprintf("host-%d.bench.internal", i)
		csr, _ := c.csr(name, name)
		reqs[i] = req{csr, c.token(name, []string{name}, "/1.0/sign", nil)}
	}
	ctx := context.Background()
	var next atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(parallelism)
	cpu0 := cpuTime()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r := reqs[next.Add(1)-1]
			if _, err := c.a.Sign(ctx, SignRequest{CSR: r.csr, OTT: r.ott}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
}

// cpuTime is the process's user plus system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
