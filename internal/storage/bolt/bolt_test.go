package bolt

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/stride-pki/stride/internal/storage"
	"github.com/stride-pki/stride/internal/storage/storagetest"
)

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Store {
		s, err := Open(filepath.Join(t.TempDir(), "db", "stride.db"), Options{})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestACMEConformance(t *testing.T) {
	storagetest.RunACME(t, func(t *testing.T) storagetest.ACMEStore {
		s, err := Open(filepath.Join(t.TempDir(), "stride.db"), Options{})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestOpenCreatesPrivateFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a", "b", "stride.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if m := fi.Mode().Perm(); m != 0o600 {
		t.Errorf("file mode = %v, want 0600", m)
	}
	di, err := os.Stat(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	if m := di.Mode().Perm(); m&0o077 != 0 {
		t.Errorf("directory mode = %v, want no group/other access", m)
	}
}

// TestReopenKeepsData: what one Open wrote, the next one reads.
func TestReopenKeepsData(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "stride.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	cert := storage.Certificate{Serial: "42", DER: []byte{0x30, 0x00}, NotAfter: time.Now()}
	tok := storage.UsedToken{ID: "jti-1", ExpiresAt: time.Now().Add(time.Hour)}
	if err := s.RecordIssuance(ctx, cert, &tok); err != nil {
		t.Fatal(err)
	}
	if err := s.Revoke(ctx, storage.Revocation{Serial: "42", RevokedAt: time.Now()}, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Certificate(ctx, "42"); err != nil {
		t.Errorf("Certificate after reopen: %v", err)
	}
	if _, err := s.Revocation(ctx, "42"); err != nil {
		t.Errorf("Revocation after reopen: %v", err)
	}
	if err := s.UseToken(ctx, tok); !errors.Is(err, storage.ErrTokenUsed) {
		t.Errorf("UseToken after reopen = %v, want ErrTokenUsed", err)
	}
}

// TestOpenLockedInProcess: bbolt's lock is flock(2) on its own file
// descriptor, so even a second Open in the same process is refused.
func TestOpenLockedInProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "stride.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	wantLocked(t, path, func() error {
		s2, err := Open(path, Options{LockTimeout: 200 * time.Millisecond})
		if err == nil {
			s2.Close()
		}
		return err
	})
}

// lockHelperEnv names the file a re-executed test binary opens and holds.
const lockHelperEnv = "STRIDE_BOLT_LOCK_HELPER"

// TestOpenLockedByOtherProcess: a second stride-ca on the same file fails
// fast with ErrLocked instead of hanging. The test binary re-executes
// itself as the process holding the lock.
func TestOpenLockedByOtherProcess(t *testing.T) {
	if path := os.Getenv(lockHelperEnv); path != "" {
		holdLock(path)
		return
	}
	path := filepath.Join(t.TempDir(), "stride.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestOpenLockedByOtherProcess$")
	cmd.Env = append(os.Environ(), lockHelperEnv+"="+path)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { stdin.Close(); cmd.Wait() }()
	// The helper prints "locked" once it holds the file.
	buf := make([]byte, 6)
	if _, err := stdout.Read(buf); err != nil || string(buf) != "locked" {
		t.Fatalf("helper did not lock the file: %q, %v", buf, err)
	}
	wantLocked(t, path, func() error {
		s, err := Open(path, Options{LockTimeout: 300 * time.Millisecond})
		if err == nil {
			s.Close()
		}
		return err
	})
}

// holdLock opens path, says so on stdout and keeps it open until stdin closes.
func holdLock(path string) {
	s, err := Open(path, Options{})
	if err != nil {
		os.Stdout.WriteString("failed: " + err.Error())
		os.Exit(1)
	}
	os.Stdout.WriteString("locked")
	_, _ = os.Stdin.Read(make([]byte, 1))
	s.Close()
	os.Exit(0)
}

func wantLocked(t *testing.T, path string, open func() error) {
	t.Helper()
	start := time.Now()
	err := open()
	elapsed := time.Since(start)
	if !errors.Is(err, storage.ErrLocked) {
		t.Fatalf("second Open = %v, want ErrLocked", err)
	}
	if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "in use by another stride-ca process") {
		t.Errorf("error %q should name the file and say it is in use", err)
	}
	if elapsed > 2*time.Second {
		t.Errorf("second Open took %v, want it to fail fast", elapsed)
	}
}

// TestSchemaVersionChecked: a file from an unknown schema is refused, not
// misread.
func TestSchemaVersionChecked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "stride.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keySchema, []byte("99"))
	}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err := Open(path, Options{}); err == nil {
		s.Close()
		t.Fatal("Open of a schema-99 file succeeded")
	} else if !strings.Contains(err.Error(), "schema") {
		t.Errorf("error %q should mention the schema", err)
	}
}

// BenchmarkRecordIssuance measures group-committed, fsynced issuances with
// many concurrent callers, each with its own token, as a busy CA does.
func BenchmarkRecordIssuance(b *testing.B) {
	benchmarkIssuance(b, 64) // 64 × GOMAXPROCS concurrent callers
}

// BenchmarkRecordIssuanceSerial measures one caller at a time: its ns/op is
// the latency of a lone issuance (batch delay plus commit).
func BenchmarkRecordIssuanceSerial(b *testing.B) {
	benchmarkIssuance(b, 0)
}

// BenchmarkRecordIssuancePaced is the store under bench/sign's c=32 on a
// CPU-bound CA: 32 callers that each spend about half a millisecond of CPU
// (as verifying and signing do) before every issuance, so writes arrive
// spread out rather than all at once. commits/op is the share of
// issuances that paid a commit of their own (1 = no grouping).
func BenchmarkRecordIssuancePaced(b *testing.B) {
	benchmarkIssuanceWork(b, 32/runtime.GOMAXPROCS(0), 500*time.Microsecond)
}

// benchmarkIssuance records b.N certificates from parallelism × GOMAXPROCS
// goroutines, or from one when parallelism is 0.
func benchmarkIssuance(b *testing.B, parallelism int) { benchmarkIssuanceWork(b, parallelism, 0) }

// spin burns about d of CPU.
func spin(d time.Duration) {
	sum := sha256.Sum256(nil)
	for end := time.Now().Add(d); time.Now().Before(end); {
		for range 64 {
			sum = sha256.Sum256(sum[:])
		}
	}
}

// lastTxID is the ID of the latest committed transaction: one per commit.
func lastTxID(b *testing.B, s *Store) int {
	tx, err := s.db.Begin(false)
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback()
	return tx.ID()
}

// benchmarkIssuanceWork records b.N certificates from parallelism ×
// GOMAXPROCS goroutines (or one when parallelism is 0), each spending work
// of CPU before every issuance.
func benchmarkIssuanceWork(b *testing.B, parallelism int, work time.Duration) {
	s, err := Open(filepath.Join(b.TempDir(), "stride.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
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
		// A random 256-bit jti, as step mints: the tokens bucket takes
		// them at random places, unlike the time-ordered serials.
		var jti [32]byte
		_, _ = rand.Read(jti[:])
		tok := storage.UsedToken{ID: "admin:kid#" + hex.EncodeToString(jti[:]), ExpiresAt: time.Now().Add(5 * time.Minute)}
		return s.RecordIssuance(context.Background(), cert, &tok)
	}
	tx0 := lastTxID(b, s)
	b.ResetTimer()
	if parallelism == 0 {
		for range b.N {
			spin(work)
			if err := issue(); err != nil {
				b.Fatal(err)
			}
		}
	} else {
		b.SetParallelism(parallelism)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				spin(work)
				if err := issue(); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	b.StopTimer()
	b.ReportMetric(float64(lastTxID(b, s)-tx0)/float64(b.N), "commits/op")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "issuances/s")
}
