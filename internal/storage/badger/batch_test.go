package badger

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stride-pki/stride/internal/storage"
)

// TestBatchFailureStaysWithItsCaller: a write Badger refuses (here a value
// larger than a value-log file) fails only its own caller, even when it
// shares a batch with others, which are stored.
func TestBatchFailureStaysWithItsCaller(t *testing.T) {
	s, err := Open(t.TempDir(), Options{vlogFileSize: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const n, bad = 32, 7
	certs := make([]storage.Certificate, n)
	for i := range certs {
		certs[i] = storage.Certificate{Serial: strconv.Itoa(1000 + i), DER: make([]byte, 900), NotAfter: time.Now()}
	}
	certs[bad].DER = make([]byte, 2<<20)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			tok := storage.UsedToken{ID: "jti-" + certs[i].Serial}
			errs[i] = s.RecordIssuance(context.Background(), certs[i], &tok)
		}()
	}
	close(start)
	wg.Wait()
	ctx := context.Background()
	for i, err := range errs {
		_, getErr := s.Certificate(ctx, certs[i].Serial)
		switch {
		case i == bad && err == nil:
			t.Errorf("oversized certificate was stored")
		case i == bad && !errors.Is(getErr, storage.ErrNotFound):
			t.Errorf("Certificate(oversized) = %v, want ErrNotFound", getErr)
		case i == bad:
			if uerr := s.UseToken(ctx, storage.UsedToken{ID: "jti-" + certs[i].Serial}); uerr != nil {
				t.Errorf("the failed caller's token was consumed: %v", uerr)
			}
		case err != nil || getErr != nil:
			t.Errorf("caller %d: RecordIssuance = %v, Certificate = %v; want both nil", i, err, getErr)
		}
	}
}

// TestWriteAfterCloseFails: a write racing with (or after) Close returns
// an error instead of blocking.
func TestWriteAfterCloseFails(t *testing.T) {
	s, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.UseToken(context.Background(), storage.UsedToken{ID: "late"}) }()
	select {
	case err := <-done:
		if !errors.Is(err, errClosed) {
			t.Errorf("UseToken after Close = %v, want errClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("UseToken after Close blocked")
	}
}
