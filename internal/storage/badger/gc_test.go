package badger

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// TestCollectReclaimsValueLog: values that go to the value log, then are
// deleted, come back as disk space once compaction has counted them and
// the collector runs. The store's own records are insert-only, so the test
// writes and deletes under a kind byte the store never uses.
func TestCollectReclaimsValueLog(t *testing.T) {
	dir := t.TempDir()
	opts := Options{GCInterval: time.Hour, vlogFileSize: 1 << 20}
	s, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	const n, size = 2000, 4 << 10 // 8 MiB over some eight 1 MiB files
	key := func(i int) []byte { return []byte(fmt.Sprintf("z%06d", i)) }
	val := make([]byte, size)
	writeKeys(t, s, n, func(txn *badger.Txn, i int) error { return txn.Set(key(i), val) })
	writeKeys(t, s, n, func(txn *badger.Txn, i int) error { return txn.Delete(key(i)) })
	// Each Close flushes the memtable into a level-0 table; once there are
	// enough of them, compaction merges them into the next level, drops
	// the deleted values and tells the value log how much of each file is
	// garbage. Flatten waits for that compaction.
	for i := range 6 {
		writeKeys(t, s, 1, func(txn *badger.Txn, _ int) error { return txn.Set([]byte(fmt.Sprintf("y%d", i)), nil) })
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if s, err = Open(dir, opts); err != nil {
			t.Fatal(err)
		}
	}
	defer s.Close()
	if err := s.db.Flatten(2); err != nil {
		t.Fatal(err)
	}
	before := vlogBytes(t, dir)
	rewritten := s.collect(DefaultGCDiscardRatio)
	after := vlogBytes(t, dir)
	t.Logf("value log: %d bytes before, %d after %d rewrites", before, after, rewritten)
	if rewritten == 0 || after >= before {
		t.Errorf("collect rewrote %d files, value log %d -> %d bytes; want it to shrink", rewritten, before, after)
	}
}

// writeKeys runs fn for i in [0, n) in transactions of 100.
func writeKeys(t *testing.T, s *Store, n int, fn func(txn *badger.Txn, i int) error) {
	t.Helper()
	for lo := 0; lo < n; lo += 100 {
		err := s.db.Update(func(txn *badger.Txn) error {
			for i := lo; i < min(lo+100, n); i++ {
				if err := fn(txn, i); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// vlogBytes is the size of dir's value-log files.
func vlogBytes(t *testing.T, dir string) int64 {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.vlog"))
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	for _, f := range files {
		fi, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		total += fi.Size()
	}
	return total
}

// TestCollectLoopRunsAndStops: the collector runs every interval while the
// store is open, and Close stops it before closing the database.
func TestCollectLoopRunsAndStops(t *testing.T) {
	s, err := Open(t.TempDir(), Options{GCInterval: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for s.gcRuns.Load() < 3 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if got := s.gcRuns.Load(); got < 3 {
		t.Fatalf("collector ran %d times in 5 s, want at least 3", got)
	}
	start := time.Now()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Close took %v with the collector running", d)
	}
	select {
	case <-s.gcDone:
	default:
		t.Fatal("collector still running after Close")
	}
	runs := s.gcRuns.Load()
	time.Sleep(20 * time.Millisecond)
	if got := s.gcRuns.Load(); got != runs {
		t.Errorf("collector ran %d more times after Close", got-runs)
	}
}

// TestLoggerGetsWarnings: Badger's warnings reach the slog logger, its
// info lines do not.
func TestLoggerGetsWarnings(t *testing.T) {
	var buf strings.Builder
	l := slogLogger{newTextLogger(&buf)}
	l.Infof("flushing memtable %d", 1)
	l.Debugf("noise")
	l.Warningf("disk is slow: %v\n", "fsync 2s")
	l.Errorf("bad table %s", "000001.sst")
	out := buf.String()
	for _, want := range []string{"level=WARN", "badger: disk is slow: fsync 2s", "level=ERROR", "bad table 000001.sst"} {
		if !strings.Contains(out, want) {
			t.Errorf("log %q lacks %q", out, want)
		}
	}
	if strings.Contains(out, "flushing") || strings.Contains(out, "noise") {
		t.Errorf("log %q has info or debug lines", out)
	}
}

func newTextLogger(w *strings.Builder) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, nil))
}
