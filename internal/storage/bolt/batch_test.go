package bolt

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

var bucketTest = []byte("test")

// openGroupTest opens a store with a test bucket and a generous quiet
// period, so that concurrent writers reliably land in one group.
func openGroupTest(t *testing.T) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "g.db"), Options{QuietPeriod: 50 * time.Millisecond, MaxBatchDelay: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket(bucketTest); return err }); err != nil {
		t.Fatal(err)
	}
	return s
}

func put(key string) writeFunc {
	return func(tx *bolt.Tx) (error, error) { return nil, tx.Bucket(bucketTest).Put([]byte(key), []byte("v")) }
}

func (s *Store) has(t *testing.T, key string) bool {
	t.Helper()
	var ok bool
	s.db.View(func(tx *bolt.Tx) error { ok = tx.Bucket(bucketTest).Get([]byte(key)) != nil; return nil })
	return ok
}

// runGroup runs fns concurrently, with a blocker in flight so none of them
// takes the alone path, and returns each one's answer and the commits made.
func runGroup(t *testing.T, s *Store, fns map[string]writeFunc) (map[string]error, int) {
	t.Helper()
	tx0 := s.txID(t)
	release := make(chan struct{})
	blockerDone := make(chan error)
	go func() { // holds inflight at 1 until the others have joined
		blockerDone <- s.write(context.Background(), func(*bolt.Tx) (error, error) { <-release; return nil, nil })
	}()
	for s.commits.inflight.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	var mu sync.Mutex
	got := map[string]error{}
	var wg sync.WaitGroup
	for name, fn := range fns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.write(context.Background(), fn)
			mu.Lock()
			got[name] = err
			mu.Unlock()
		}()
	}
	for s.commits.inflight.Load() < int64(1+len(fns)) {
		time.Sleep(time.Millisecond)
	}
	close(release)
	if err := <-blockerDone; err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	return got, s.txID(t) - tx0 - 1 // the blocker committed alone
}

func (s *Store) txID(t *testing.T) int {
	t.Helper()
	tx, err := s.db.Begin(false)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	return tx.ID()
}

func TestGroupCommitSharesOneTransaction(t *testing.T) {
	s := openGroupTest(t)
	fns := map[string]writeFunc{}
	for _, k := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
		fns[k] = put(k)
	}
	got, commits := runGroup(t, s, fns)
	for k, err := range got {
		if err != nil || !s.has(t, k) {
			t.Errorf("write %s: %v, stored %v", k, err, s.has(t, k))
		}
	}
	if commits != 1 {
		t.Errorf("8 concurrent writes took %d commits, want 1", commits)
	}
}

// A real failure or a panic fails its own caller only; the others commit,
// and nothing the failed one wrote before failing stays.
func TestGroupCommitFailureIsolated(t *testing.T) {
	s := openGroupTest(t)
	boom := errors.New("boom")
	got, _ := runGroup(t, s, map[string]writeFunc{
		"ok1": put("ok1"),
		"fails": func(tx *bolt.Tx) (error, error) {
			tx.Bucket(bucketTest).Put([]byte("fails"), []byte("v"))
			return nil, boom
		},
		"panics": func(tx *bolt.Tx) (error, error) {
			tx.Bucket(bucketTest).Put([]byte("panics"), []byte("v"))
			panic("bug")
		},
		"outcome": func(*bolt.Tx) (error, error) { return errOutcome, nil },
		"ok2":     put("ok2"),
	})
	for _, k := range []string{"ok1", "ok2"} {
		if got[k] != nil || !s.has(t, k) {
			t.Errorf("%s: %v, stored %v; want nil and stored", k, got[k], s.has(t, k))
		}
	}
	if !errors.Is(got["fails"], boom) || s.has(t, "fails") {
		t.Errorf("fails: %v, stored %v; want boom and nothing stored", got["fails"], s.has(t, "fails"))
	}
	if got["panics"] == nil || s.has(t, "panics") {
		t.Errorf("panics: %v, stored %v; want an error and nothing stored", got["panics"], s.has(t, "panics"))
	}
	if !errors.Is(got["outcome"], errOutcome) {
		t.Errorf("outcome: %v, want errOutcome", got["outcome"])
	}
}

var errOutcome = errors.New("an expected per-caller answer")

// A caller whose context ends before its turn gets ctx.Err() and writes
// nothing.
func TestGroupCommitCanceledContext(t *testing.T) {
	s := openGroupTest(t)
	ctx, cancel := context.WithCancel(context.Background())
	release := make(chan struct{})
	go s.write(context.Background(), func(*bolt.Tx) (error, error) { <-release; return nil, nil })
	for s.commits.inflight.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	done := make(chan error)
	go func() { done <- s.write(ctx, put("late")) }()
	for s.commits.inflight.Load() < 2 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	close(release)
	if err := <-done; !errors.Is(err, context.Canceled) || s.has(t, "late") {
		t.Errorf("canceled write: %v, stored %v; want context.Canceled, nothing stored", err, s.has(t, "late"))
	}
}
