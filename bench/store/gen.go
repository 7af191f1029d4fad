package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"fmt"
	"io"
	"math/big"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/stride-pki/stride/internal/storage"
)

// lifetime is every synthetic certificate's validity; issuance is spread
// over the last lifetime, so notAfter is spread over the next 90 days.
const lifetime = 90 * 24 * time.Hour

// serialBase keeps every serial 39 decimal digits long, so byte order is
// index order (as with Stride's time-ordered serials).
var serialBase = new(big.Int).Exp(big.NewInt(10), big.NewInt(38), nil)

// generator makes record i of a run: deterministic names and times, and a
// DER that is a real certificate's with its serial and signature bytes
// replaced (so it has a real one's size and entropy without a signature
// per record).
type generator struct {
	now      time.Time
	der      []byte
	serialAt int // offset of the template's serial bytes in der
}

func newGenerator(now time.Time) (*generator, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	serial := serialOf(0)
	name := hostName(0)
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: name},
		DNSNames:     []string{name, "svc-000.example.com", "svc-000.internal.example.com"},
		NotBefore:    now, NotAfter: now.Add(lifetime),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		// URLs a public-facing CA adds; they bring the DER to ~700 bytes.
		OCSPServer:            []string{"http://ocsp.ca.example.com"},
		IssuingCertificateURL: []string{"http://ca.example.com/intermediate.crt"},
		CRLDistributionPoints: []string{"http://ca.example.com/1.0/crl"},
		AuthorityKeyId:        bytes.Repeat([]byte{7}, 20),
		SubjectKeyId:          bytes.Repeat([]byte{9}, 20),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	at := bytes.Index(der, serial.Bytes())
	if at < 0 {
		return nil, fmt.Errorf("serial not found in the template DER")
	}
	return &generator{now: now, der: der, serialAt: at}, nil
}

// serialOf is record i's serial: 10^38 + i*1009 (39 digits for any i we use).
func serialOf(i int) *big.Int {
	return new(big.Int).Add(serialBase, new(big.Int).Mul(big.NewInt(int64(i)), big.NewInt(1009)))
}

// hostName is record i's common name and first SAN.
func hostName(i int) string {
	return fmt.Sprintf("host-%d.svc-%03d.example.com", i, i%1000)
}

// issuedAgo spreads issuance over the last lifetime (a multiplicative hash
// of i, so neighbours differ); notAfter = issuedAt + lifetime.
func issuedAgo(i int) time.Duration {
	sec := int64(lifetime / time.Second)
	return time.Duration((uint64(i)*2654435761)%uint64(sec)) * time.Second
}

// record returns record i and its one-time token.
func (g *generator) record(i int) (storage.Certificate, storage.UsedToken) {
	serial := serialOf(i)
	der := append([]byte(nil), g.der...)
	sb := serial.Bytes()
	copy(der[g.serialAt:g.serialAt+len(sb)], sb) // every serial has the template's length
	// Vary the signature tail, as real certificates differ there.
	var tail [8]byte
	binary.BigEndian.PutUint64(tail[:], uint64(i)*0x9E3779B97F4A7C15)
	copy(der[len(der)-len(tail):], tail[:])
	name := hostName(i)
	issued := g.now.Add(-issuedAgo(i))
	c := storage.Certificate{
		Serial: serial.String(), DER: der, Subject: name,
		SANs:      []string{name, fmt.Sprintf("svc-%03d.example.com", i%1000), fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)},
		NotBefore: issued.Add(-time.Minute), NotAfter: issued.Add(lifetime), IssuedAt: issued,
		Provisioner: storage.ProvisionerRef{ID: "bench/kid", Name: "bench", Type: "JWK"},
	}
	return c, storage.UsedToken{ID: "bench/kid/" + c.Serial, ExpiresAt: issued.Add(5 * time.Minute)}
}

// fill stores records 0..n-1 from workers goroutines, reporting progress
// every tenth, and returns the wall-clock time it took.
func fill(ctx context.Context, s storage.Store, g *generator, n, workers int, tokens bool, stderr io.Writer) (time.Duration, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var next, done atomic.Int64
	var once sync.Once
	var firstErr error
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				c, tok := g.record(i)
				var tp *storage.UsedToken
				if tokens {
					tp = &tok
				}
				if err := s.RecordIssuance(ctx, c, tp); err != nil {
					once.Do(func() { firstErr = fmt.Errorf("record %d: %w", i, err); cancel() })
					return
				}
				if d := done.Add(1); d%int64(max(n/10, 1)) == 0 {
					el := time.Since(start)
					fmt.Fprintf(stderr, "  %d/%d in %s (%.0f/s)\n", d, n, el.Round(time.Second), float64(d)/el.Seconds())
				}
			}
		}()
	}
	wg.Wait()
	return time.Since(start), firstErr
}

// splitList splits a comma-separated flag, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// per100k scales bytes for n records to 100,000 records.
func per100k(bytes int64, n int) int64 {
	if n <= 0 {
		return 0
	}
	return int64(float64(bytes) * 100000 / float64(n))
}

// humanBytes prints b in MB (10^6) with one decimal.
func humanBytes(b int64) string {
	return fmt.Sprintf("%.1f MB", float64(b)/1e6)
}
