package mysql

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stride-pki/stride/internal/storage"
)

// hammer runs fn(i) in 32 goroutines released at once.
func hammer(fn func(i int) error) []error {
	const n = 32
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = fn(i)
		}()
	}
	close(start)
	wg.Wait()
	return errs
}

var serialSeq atomic.Int64

// uniqueSerial returns a serial no other call in this process returns.
func uniqueSerial() string {
	return strconv.FormatInt(time.Now().UnixNano(), 10) + strconv.FormatInt(serialSeq.Add(1), 10)
}

func testCert(serial string) storage.Certificate {
	now := time.Now()
	return storage.Certificate{
		Serial: serial, DER: make([]byte, 800), Subject: "leaf.example.com",
		SANs:      []string{"leaf.example.com", "192.0.2.1"},
		NotBefore: now, NotAfter: now.Add(24 * time.Hour), IssuedAt: now,
		Provisioner: storage.ProvisionerRef{ID: "admin:kid", Name: "admin", Type: "JWK"},
	}
}

// countOutcomes fails on any error that is not want; it returns how many
// calls succeeded. A deadlock or lock wait surfacing here would be a 500.
func countOutcomes(t *testing.T, errs []error, want error) int {
	t.Helper()
	wins := 0
	for i, err := range errs {
		switch {
		case err == nil:
			wins++
		case !errors.Is(err, want):
			t.Errorf("caller %d: %v (want nil or %v)", i, err, want)
		}
	}
	return wins
}

// TestOneTokenHammer: every operation that consumes tokens races for one
// token from 32 goroutines, round after round; exactly one wins, everyone
// else gets ErrTokenUsed, and no server error (deadlock, lock wait)
// escapes.
func TestOneTokenHammer(t *testing.T) {
	s, _ := openNew(t)
	defer s.Close()
	ctx := context.Background()
	for round := range 20 {
		tok := storage.UsedToken{ID: fmt.Sprintf("hammer/%d/%s", round, uniqueSerial()), ExpiresAt: time.Now().Add(time.Hour)}
		errs := hammer(func(i int) error {
			switch i % 3 {
			case 0:
				return s.RecordIssuance(ctx, testCert(uniqueSerial()), &tok)
			case 1:
				return s.Revoke(ctx, storage.Revocation{Serial: uniqueSerial(), RevokedAt: time.Now()}, &tok)
			default:
				return s.UseToken(ctx, tok)
			}
		})
		if wins := countOutcomes(t, errs, storage.ErrTokenUsed); wins != 1 {
			t.Fatalf("round %d: %d winners, want 1", round, wins)
		}
	}
}

// TestRollbackHerdHammer is InnoDB's deadlock case: 32 callers write one
// new serial with a token that was used before, so whoever holds the serial
// rolls back and the callers waiting on it deadlock among themselves. The
// store must retry the victims, and everyone must end with ErrTokenUsed,
// nothing stored.
func TestRollbackHerdHammer(t *testing.T) {
	s, _ := openNew(t)
	defer s.Close()
	ctx := context.Background()
	for round := range 10 {
		tok := storage.UsedToken{ID: fmt.Sprintf("herd/%d/%s", round, uniqueSerial())}
		if err := s.UseToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
		serial := uniqueSerial()
		errs := hammer(func(i int) error {
			if i%2 == 0 {
				return s.Revoke(ctx, storage.Revocation{Serial: serial}, &tok)
			}
			return s.RecordIssuance(ctx, testCert(serial), &tok)
		})
		if wins := countOutcomes(t, errs, storage.ErrTokenUsed); wins != 0 {
			t.Fatalf("round %d: %d callers succeeded with a used token", round, wins)
		}
		if _, err := s.Certificate(ctx, serial); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("round %d: Certificate = %v, want ErrNotFound", round, err)
		}
	}
}

// TestExistingSerialHammer: 32 callers with one fresh token record a serial
// that exists: all get ErrConflict and the token stays free.
func TestExistingSerialHammer(t *testing.T) {
	s, _ := openNew(t)
	defer s.Close()
	ctx := context.Background()
	existing := testCert(uniqueSerial())
	if err := s.RecordIssuance(ctx, existing, nil); err != nil {
		t.Fatal(err)
	}
	for round := range 10 {
		tok := storage.UsedToken{ID: fmt.Sprintf("existing/%d/%s", round, uniqueSerial())}
		errs := hammer(func(int) error { return s.RecordIssuance(ctx, existing, &tok) })
		if wins := countOutcomes(t, errs, storage.ErrConflict); wins != 0 {
			t.Fatalf("round %d: %d callers stored a duplicate serial", round, wins)
		}
		if err := s.UseToken(ctx, tok); err != nil {
			t.Fatalf("round %d: token consumed by a failed issuance: %v", round, err)
		}
	}
}

// TestManySANsKeepOrder: more SANs than one INSERT carries come back in order.
func TestManySANsKeepOrder(t *testing.T) {
	s, _ := openNew(t)
	defer s.Close()
	cert := testCert(uniqueSerial())
	cert.SANs = nil
	for i := range 2*sanChunk + 7 {
		cert.SANs = append(cert.SANs, fmt.Sprintf("h%d.example.com", (i*7919)%100000))
	}
	if err := s.RecordIssuance(context.Background(), cert, nil); err != nil {
		t.Fatal(err)
	}
	got, err := s.Certificate(context.Background(), cert.Serial)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got.SANs, ",") != strings.Join(cert.SANs, ",") {
		t.Errorf("SANs differ: got %d, want %d in order", len(got.SANs), len(cert.SANs))
	}
}

// TestExactKeys: keys compare as bytes, so a trailing space or a
// different case is another serial (PAD SPACE collations would merge them).
func TestExactKeys(t *testing.T) {
	s, _ := openNew(t)
	defer s.Close()
	ctx := context.Background()
	for _, serial := range []string{"abc", "abc ", "ABC", "abc\x00"} {
		if err := s.RecordIssuance(ctx, testCert(serial), nil); err != nil {
			t.Fatalf("RecordIssuance(%q): %v", serial, err)
		}
		if err := s.Revoke(ctx, storage.Revocation{Serial: serial}, nil); err != nil {
			t.Fatalf("Revoke(%q): %v", serial, err)
		}
	}
	got, err := s.Certificate(ctx, "abc ")
	if err != nil || got.Serial != "abc " {
		t.Fatalf("Certificate(%q) = %+v, %v", "abc ", got, err)
	}
}

func TestLimitsAreCallerErrors(t *testing.T) {
	s, _ := openNew(t)
	defer s.Close()
	long := testCert(strings.Repeat("9", maxSerialLen+1))
	subject := testCert(uniqueSerial())
	subject.Subject = strings.Repeat("é", maxSubjectLen+1)
	okSubject := testCert(uniqueSerial())
	okSubject.Subject = strings.Repeat("é", maxSubjectLen)
	for _, c := range []struct {
		name string
		cert storage.Certificate
		want error
	}{
		{"serial too long", long, errSerialTooLong},
		{"subject too long", subject, errSubjectTooLong},
		{"subject at the limit", okSubject, nil},
	} {
		err := s.RecordIssuance(context.Background(), c.cert, nil)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: RecordIssuance = %v, want %v", c.name, err, c.want)
		}
	}
}

// TestPurgeInChunks: a backlog larger than one DELETE is purged entirely.
func TestPurgeInChunks(t *testing.T) {
	s, name := openNew(t)
	defer s.Close()
	const n = 2*purgeChunk + 123
	past := time.Now().Add(-time.Hour).UTC()
	// Insert the backlog in bulk through the admin connection.
	a := admin(t)
	for first := 0; first < n; first += 1000 {
		var b strings.Builder
		var args []any
		for i := first; i < min(first+1000, n); i++ {
			if b.Len() > 0 {
				b.WriteString(",")
			}
			b.WriteString("(UNHEX(SHA2(?, 256)), ?, ?)")
			id := fmt.Sprintf("old-%d", i)
			args = append(args, id, id, past)
		}
		if _, err := a.Exec("INSERT INTO "+quoteIdent(name)+".used_tokens VALUES "+b.String(), args...); err != nil {
			t.Fatal(err)
		}
	}
	// The bulk rows use the store's own key: old-0 counts as used.
	if err := s.UseToken(context.Background(), storage.UsedToken{ID: "old-0"}); !errors.Is(err, storage.ErrTokenUsed) {
		t.Fatalf("UseToken(old-0) = %v, want ErrTokenUsed", err)
	}
	got, err := s.PurgeTokens(context.Background(), time.Now())
	if err != nil || got != n {
		t.Fatalf("PurgeTokens = %d, %v; want %d", got, err, n)
	}
}

// BenchmarkRecordIssuance: parallel issuances, each with its token, 800
// bytes of DER and two SANs (one transaction of three INSERTs each).
func BenchmarkRecordIssuance(b *testing.B) {
	s, _ := openNew(b)
	defer s.Close()
	ctx := context.Background()
	b.SetParallelism(4) // 4 × GOMAXPROCS callers, as a busy CA's handlers
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			serial := uniqueSerial()
			tok := storage.UsedToken{ID: "bench/" + serial, ExpiresAt: time.Now().Add(time.Hour)}
			if err := s.RecordIssuance(ctx, testCert(serial), &tok); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "issuances/s")
}
