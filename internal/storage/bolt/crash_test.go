package bolt

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/stride-pki/stride/internal/storage"
)

// crashHelperEnv names the file a re-executed test binary writes to until
// it is killed.
const crashHelperEnv = "STRIDE_BOLT_CRASH_HELPER"

// TestKill9KeepsAcknowledgedWrites: a process killed with SIGKILL in the
// middle of a burst of concurrent issuances leaves a file that opens, passes
// bbolt's consistency check and holds every certificate whose
// RecordIssuance had returned (invariant I1). Power loss cannot be
// simulated here; a process crash can.
func TestKill9KeepsAcknowledgedWrites(t *testing.T) {
	if path := os.Getenv(crashHelperEnv); path != "" {
		writeUntilKilled(path)
		return
	}
	path := filepath.Join(t.TempDir(), "stride.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestKill9KeepsAcknowledgedWrites$")
	cmd.Env = append(os.Environ(), crashHelperEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var acked []string
	lines := bufio.NewScanner(out)
	for len(acked) < 500 && lines.Scan() {
		acked = append(acked, lines.Text())
	}
	_ = cmd.Process.Kill() // SIGKILL: no deferred Close runs
	_ = cmd.Wait()
	if len(acked) < 500 {
		t.Fatalf("helper acknowledged only %d writes before exiting", len(acked))
	}

	s, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("reopen after kill -9: %v", err)
	}
	defer s.Close()
	if err := s.db.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			return err
		}
		return nil
	}); err != nil {
		t.Fatalf("consistency check after kill -9: %v", err)
	}
	for _, serial := range acked {
		if _, err := s.Certificate(context.Background(), serial); err != nil {
			t.Fatalf("acknowledged certificate %s lost: %v", serial, err)
		}
	}
}

// writeUntilKilled records certificates from 16 goroutines and prints each
// serial once its RecordIssuance has returned nil.
func writeUntilKilled(path string) {
	s, err := Open(path, Options{})
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(1)
	}
	var mu sync.Mutex
	w := bufio.NewWriter(os.Stdout)
	for g := range 16 {
		go func() {
			for i := 0; ; i++ {
				serial := fmt.Sprintf("%d%06d", g+1, i)
				cert := storage.Certificate{Serial: serial, DER: make([]byte, 800), NotAfter: time.Now()}
				tok := storage.UsedToken{ID: "jti-" + serial, ExpiresAt: time.Now().Add(time.Minute)}
				if err := s.RecordIssuance(context.Background(), cert, &tok); err != nil {
					os.Exit(2)
				}
				mu.Lock()
				fmt.Fprintln(w, serial)
				w.Flush()
				mu.Unlock()
			}
		}()
	}
	select {} // until killed
}
