package mysql

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stride-pki/stride/internal/storage"
)

// TestACMEReplicasRace: two stores on one database, as two stride-ca
// replicas, one of whose DSN sets clientFoundRows, race to finalize one
// order and to bind one EAB key. The suite's races run on one store; this
// one proves that the compare-and-set and the binding decide the same
// whether the affected-row count is of changed rows (the default) or of
// matched rows: exactly one caller wins each race, every other gets
// ErrStale or ErrEABKeyBound, and the losers leave nothing behind.
func TestACMEReplicasRace(t *testing.T) {
	first, name := openNew(t)
	replicas := []*Store{first, openExisting(t, name, "?clientFoundRows=true")}
	for _, s := range replicas {
		defer s.Close()
	}
	ctx := context.Background()
	const callers = 16
	order := &storage.ACMEOrder{ID: "o", AccountID: "a", Status: "processing", ExpiresAt: time.Now()}
	if err := replicas[0].CreateACMEOrder(ctx, order, nil); err != nil {
		t.Fatal(err)
	}
	if err := replicas[0].CreateACMEEABKey(ctx, &storage.ACMEEABKey{ID: "k", Provisioner: "p", HMACKey: []byte{1}}); err != nil {
		t.Fatal(err)
	}
	finalize := make([]error, callers)
	bind := make([]error, callers)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := replicas[i%2]
			o := *order
			o.Status, o.CertificateSerial = "valid", fmt.Sprint(1000+i)
			cert := storage.Certificate{Serial: o.CertificateSerial, DER: []byte{1}, IssuedAt: time.Now()}
			acct := &storage.ACMEAccount{ID: fmt.Sprint("acct", i), Provisioner: "p", KeyID: fmt.Sprint("key", i),
				Key: []byte("{}"), Status: "valid", EABKeyID: "k"}
			<-start
			finalize[i] = s.FinalizeACMEOrder(ctx, &o, cert)
			bind[i] = s.CreateACMEAccount(ctx, acct)
		}()
	}
	close(start)
	wg.Wait()
	wantOneWinner(t, "FinalizeACMEOrder", finalize, storage.ErrStale)
	wantOneWinner(t, "CreateACMEAccount", bind, storage.ErrEABKeyBound)
	rows, _, err := replicas[0].ListCertificates(ctx, storage.CertificateFilter{}, "", 0)
	if err != nil || len(rows) != 1 {
		t.Errorf("certificates after the race: %d (%v), want exactly 1", len(rows), err)
	}
	for i, err := range bind {
		if _, gerr := replicas[0].ACMEAccount(ctx, fmt.Sprint("acct", i)); (err == nil) != (gerr == nil) {
			t.Errorf("account %d: create = %v but read = %v", i, err, gerr)
		}
	}
}

// wantOneWinner checks that exactly one of errs is nil and the rest are loser.
func wantOneWinner(t *testing.T, op string, errs []error, loser error) {
	t.Helper()
	winners := 0
	for i, err := range errs {
		switch {
		case err == nil:
			winners++
		case !errors.Is(err, loser):
			t.Errorf("%s caller %d: %v, want nil or %v", op, i, err, loser)
		}
	}
	if winners != 1 {
		t.Errorf("%s: %d winners, want exactly 1", op, winners)
	}
}

// openExisting opens database name as root with the DSN parameters params.
func openExisting(t *testing.T, name, params string) *Store {
	t.Helper()
	s, err := Open(context.Background(), Options{DataSource: rootDSN + params, Database: name})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}
