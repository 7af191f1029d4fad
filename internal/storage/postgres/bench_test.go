package postgres

import (
	"context"
	"crypto/rand"
	"math/big"
	"testing"
	"time"

	"github.com/stride-pki/stride/internal/storage"
)

// BenchmarkRecordIssuance measures the issuance write (a token and a
// certificate in one transaction) from many goroutines at once, as a busy
// CA issues: pool size is pgx's default unless the DSN sets pool_max_conns.
func BenchmarkRecordIssuance(b *testing.B) {
	s := mustOpen(b, newDatabaseName(b))
	defer s.Close()
	der := make([]byte, 700)
	if _, err := rand.Read(der); err != nil {
		b.Fatal(err)
	}
	limit := new(big.Int).Lsh(big.NewInt(1), 128)
	now := time.Now()
	// Many requests in flight, as on a busy CA; the pool (4 connections by
	// default on a small machine) bounds how many reach the server.
	b.SetParallelism(8)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			n, err := rand.Int(rand.Reader, limit)
			if err != nil {
				b.Error(err)
				return
			}
			serial := n.String()
			cert := storage.Certificate{
				Serial: serial, DER: der, Subject: "leaf.example.com",
				SANs:      []string{"leaf.example.com", "192.0.2.7"},
				NotBefore: now, NotAfter: now.Add(24 * time.Hour), IssuedAt: now,
				Provisioner: storage.ProvisionerRef{ID: "admin:kid", Name: "admin", Type: "JWK"},
			}
			tok := storage.UsedToken{ID: "admin:kid/" + serial, ExpiresAt: now.Add(5 * time.Minute)}
			if err := s.RecordIssuance(context.Background(), cert, &tok); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
