package badger

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/stride-pki/stride/internal/storage"
	"github.com/stride-pki/stride/internal/storage/storagetest"
)

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Store {
		s, err := Open(filepath.Join(t.TempDir(), "db"), Options{})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestACMEConformance(t *testing.T) {
	storagetest.RunACME(t, func(t *testing.T) storagetest.ACMEStore {
		s, err := Open(filepath.Join(t.TempDir(), "db"), Options{})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestOpenCreatesPrivateDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "db")
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if m := fi.Mode().Perm(); m&0o077 != 0 {
		t.Errorf("directory mode = %v, want no group/other access", m)
	}
}

// TestReopenKeepsData: what one Open wrote, the next one reads.
func TestReopenKeepsData(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	cert := storage.Certificate{Serial: "42", DER: make([]byte, 800), NotAfter: time.Now()}
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
	if err := s.Close(); err != nil {
		t.Errorf("second Close = %v, want nil", err)
	}

	s, err = Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got, err := s.Certificate(ctx, "42"); err != nil || len(got.DER) != 800 {
		t.Errorf("Certificate after reopen = %v, %v", got, err)
	}
	if _, err := s.Revocation(ctx, "42"); err != nil {
		t.Errorf("Revocation after reopen: %v", err)
	}
	if err := s.UseToken(ctx, tok); !errors.Is(err, storage.ErrTokenUsed) {
		t.Errorf("UseToken after reopen = %v, want ErrTokenUsed", err)
	}
}

// TestOpenLockedInProcess: Badger's lock is flock(2) on its own descriptor
// of the directory, so a second Open in the same process is refused too.
func TestOpenLockedInProcess(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	wantLocked(t, dir, func() error {
		s2, err := Open(dir, Options{})
		if err == nil {
			s2.Close()
		}
		return err
	})
	// The refused Open left the first store working.
	if err := s.UseToken(context.Background(), storage.UsedToken{ID: "after"}); err != nil {
		t.Errorf("UseToken on the first store: %v", err)
	}
}

// lockHelperEnv names the directory a re-executed test binary opens and holds.
const lockHelperEnv = "STRIDE_BADGER_LOCK_HELPER"

// TestOpenLockedByOtherProcess: a second stride-ca on the same directory
// fails fast with ErrLocked instead of hanging. The test binary re-executes
// itself as the process holding the lock.
func TestOpenLockedByOtherProcess(t *testing.T) {
	if dir := os.Getenv(lockHelperEnv); dir != "" {
		holdLock(dir)
		return
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestOpenLockedByOtherProcess$")
	cmd.Env = append(os.Environ(), lockHelperEnv+"="+dir)
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
	// The helper prints "locked" once it holds the directory.
	buf := make([]byte, 6)
	if _, err := stdout.Read(buf); err != nil || string(buf) != "locked" {
		t.Fatalf("helper did not lock the directory: %q, %v", buf, err)
	}
	wantLocked(t, dir, func() error {
		s, err := Open(dir, Options{})
		if err == nil {
			s.Close()
		}
		return err
	})
}

// holdLock opens dir, says so on stdout and keeps it open until stdin closes.
func holdLock(dir string) {
	s, err := Open(dir, Options{})
	if err != nil {
		os.Stdout.WriteString("failed: " + err.Error())
		os.Exit(1)
	}
	os.Stdout.WriteString("locked")
	_, _ = os.Stdin.Read(make([]byte, 1))
	s.Close()
	os.Exit(0)
}

func wantLocked(t *testing.T, dir string, open func() error) {
	t.Helper()
	start := time.Now()
	err := open()
	elapsed := time.Since(start)
	if !errors.Is(err, storage.ErrLocked) {
		t.Fatalf("second Open = %v, want ErrLocked", err)
	}
	if !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), "in use by another stride-ca process") {
		t.Errorf("error %q should name the directory and say it is in use", err)
	}
	if elapsed > 2*time.Second {
		t.Errorf("second Open took %v, want it to fail fast", elapsed)
	}
}

// TestSchemaVersionChecked: a database from an unknown schema is refused,
// not misread.
func TestSchemaVersionChecked(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.db.Update(func(txn *badger.Txn) error {
		return txn.Set(keySchema, []byte("99"))
	}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err := Open(dir, Options{}); err == nil {
		s.Close()
		t.Fatal("Open of a schema-99 database succeeded")
	} else if !strings.Contains(err.Error(), "schema") {
		t.Errorf("error %q should mention the schema", err)
	}
}

// TestLongIDs: IDs up to the documented limit work; longer ones are caller
// errors, not Badger failures.
func TestLongIDs(t *testing.T) {
	s, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	long := strings.Repeat("7", maxIDLen)
	exp := time.Now().Add(time.Hour)
	if err := s.UseToken(ctx, storage.UsedToken{ID: long, ExpiresAt: exp}); err != nil {
		t.Errorf("UseToken(%d-byte ID) = %v", len(long), err)
	}
	if err := s.RecordIssuance(ctx, storage.Certificate{Serial: long, NotAfter: exp}, nil); err != nil {
		t.Errorf("RecordIssuance(%d-byte serial) = %v", len(long), err)
	}
	if err := s.UseToken(ctx, storage.UsedToken{ID: long + "7"}); !errors.Is(err, errTokenIDTooLong) {
		t.Errorf("UseToken(too long) = %v, want errTokenIDTooLong", err)
	}
	if err := s.Revoke(ctx, storage.Revocation{Serial: long + "7"}, nil); !errors.Is(err, errSerialTooLong) {
		t.Errorf("Revoke(too long) = %v, want errSerialTooLong", err)
	}
}
