package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/stride-pki/stride/internal/storage"
)

// TestACMEReplicasRace: two stores on one database, as two stride-ca
// replicas, race to finalize one order (with different certificates) and
// to bind one EAB key (to different accounts): exactly one caller wins each
// race, every other gets ErrStale or ErrEABKeyBound, and the losers leave
// nothing behind.
func TestACMEReplicasRace(t *testing.T) {
	name := newDatabaseName(t)
	replicas := []*Store{mustOpen(t, name), mustOpen(t, name)}
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

// TestACMEWithRowPrivilegesOnly: a replica whose role may read and write
// the tables' rows, and nothing else (no DDL, no grant on any sequence),
// runs the ACME writes, order creation's sequence number included.
func TestACMEWithRowPrivilegesOnly(t *testing.T) {
	ctx := context.Background()
	role := newRole(t) // first, so it is dropped after the database
	name := newDatabaseName(t)
	mustOpen(t, name).Close()
	dc, err := pgx.Connect(ctx, "postgres://postgres@127.0.0.1:5432/"+name+"?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	_, err = dc.Exec(ctx, "REVOKE CREATE ON SCHEMA public FROM PUBLIC; "+
		"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "+pgx.Identifier{role}.Sanitize())
	dc.Close(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(ctx, Options{DataSource: "postgres://" + role + "@127.0.0.1:5432/?sslmode=disable", Database: name})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	acct := &storage.ACMEAccount{ID: "a", Provisioner: "acme", KeyID: "k", Status: "valid"}
	order := &storage.ACMEOrder{ID: "o", AccountID: "a", Status: "pending"}
	for _, err := range []error{
		s.CreateACMEAccount(ctx, acct),
		s.UpdateACMEAccount(ctx, acct),
		s.CreateACMEOrder(ctx, order, []*storage.ACMEAuthz{{ID: "z", AccountID: "a", Status: "pending"}}),
		s.UpdateACMEOrder(ctx, order),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n, err := s.PurgeACME(ctx, time.Now()); err != nil || n != 0 {
		t.Fatalf("PurgeACME = %d, %v", n, err)
	}
}
