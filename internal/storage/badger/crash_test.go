package badger

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stride-pki/stride/internal/storage"
)

// crashHelperEnv names the directory a re-executed test binary writes to
// until it is killed.
const crashHelperEnv = "STRIDE_BADGER_CRASH_HELPER"

// TestKill9KeepsAcknowledgedWrites: a process killed with SIGKILL in the
// middle of a burst of concurrent issuances leaves a directory that opens
// and holds every certificate whose RecordIssuance had returned (invariant
// I1). Power loss cannot be simulated here; a process crash can.
func TestKill9KeepsAcknowledgedWrites(t *testing.T) {
	if dir := os.Getenv(crashHelperEnv); dir != "" {
		writeUntilKilled(dir)
		return
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKill9KeepsAcknowledgedWrites$")
	cmd.Env = append(os.Environ(), crashHelperEnv+"="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Each line the helper prints is a serial whose write returned.
	var acked []string
	lines := bufio.NewScanner(out)
	for lines.Scan() && len(acked) < 3000 {
		acked = append(acked, lines.Text())
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	for lines.Scan() { // serials acknowledged before the kill landed
		acked = append(acked, lines.Text())
	}
	cmd.Wait()
	if len(acked) < 100 {
		t.Fatalf("helper acknowledged only %d writes", len(acked))
	}

	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatalf("Open after kill -9: %v", err)
	}
	defer s.Close()
	for _, serial := range acked {
		if _, err := s.Certificate(context.Background(), serial); err != nil {
			t.Fatalf("acknowledged certificate %s lost: %v", serial, err)
		}
	}
	t.Logf("%d acknowledged certificates survived kill -9", len(acked))
}

// writeUntilKilled records certificates from 16 goroutines and prints each
// serial once its RecordIssuance returned nil.
func writeUntilKilled(dir string) {
	s, err := Open(dir, Options{})
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(1)
	}
	var mu sync.Mutex
	w := bufio.NewWriter(os.Stdout)
	for g := range 16 {
		go func() {
			for i := 0; ; i++ {
				serial := strconv.Itoa(g*10_000_000 + i)
				cert := storage.Certificate{Serial: serial, DER: make([]byte, 900), NotAfter: time.Now()}
				tok := storage.UsedToken{ID: "jti-" + serial, ExpiresAt: time.Now().Add(time.Hour)}
				if err := s.RecordIssuance(context.Background(), cert, &tok); err != nil {
					os.Exit(2)
				}
				mu.Lock()
				w.WriteString(serial + "\n")
				w.Flush()
				mu.Unlock()
			}
		}()
	}
	select {}
}
