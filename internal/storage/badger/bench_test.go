package badger

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stride-pki/stride/internal/storage"
)

// BenchmarkRecordIssuance measures group-committed, synced issuances with
// many concurrent callers, each with its own token, as a busy CA does. It also reports the
// database's size on disk per 10,000 certificates (after Close, which
// flushes the memtable; run with -benchtime=20000x or more for a
// meaningful figure).
func BenchmarkRecordIssuance(b *testing.B) {
	benchmarkIssuance(b, 64) // 64 × GOMAXPROCS concurrent callers
}

// BenchmarkRecordIssuanceSerial measures one caller at a time: its ns/op is
// the latency of a lone issuance (one commit and its fsyncs).
func BenchmarkRecordIssuanceSerial(b *testing.B) {
	benchmarkIssuance(b, 0)
}

// benchmarkIssuance records b.N certificates from parallelism × GOMAXPROCS
// goroutines, or from one when parallelism is 0.
func benchmarkIssuance(b *testing.B, parallelism int) {
	dir := b.TempDir()
	s, err := Open(dir, Options{})
	if err != nil {
		b.Fatal(err)
	}
	der := make([]byte, 1000) // a typical ECDSA leaf is 600-1000 bytes
	now := time.Now()
	var seq atomic.Int64
	issue := func() error {
		serial := strconv.FormatInt(1e15+seq.Add(1), 10) + "000000000000000000000"
		cert := storage.Certificate{
			Serial: serial, DER: der, Subject: "host.example.com",
			SANs:      []string{"host.example.com", "10.0.0.1"},
			NotBefore: now, NotAfter: now.Add(24 * time.Hour), IssuedAt: now,
			Provisioner: storage.ProvisionerRef{ID: "admin:kid", Name: "admin", Type: "JWK"},
		}
		tok := storage.UsedToken{ID: "admin:kid/jti-" + serial, ExpiresAt: now.Add(5 * time.Minute)}
		return s.RecordIssuance(context.Background(), cert, &tok)
	}
	b.ResetTimer()
	if parallelism == 0 {
		for range b.N {
			if err := issue(); err != nil {
				b.Fatal(err)
			}
		}
	} else {
		b.SetParallelism(parallelism)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := issue(); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "issuances/s")
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(dirBytes(b, dir))*10000/float64(b.N), "disk-bytes/10k-certs")
}

// dirBytes is the apparent size of the files in dir.
func dirBytes(b *testing.B, dir string) int64 {
	var total int64
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if err == nil {
			total += fi.Size()
		}
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return total
}
