package wfe

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	xacme "golang.org/x/crypto/acme"

	"github.com/stride-pki/stride/internal/acme"
	"github.com/stride-pki/stride/internal/storage"
)

// The single-use steps hold under concurrency within one process
// (security.md §4.2 I5; — the two-replica variants run in
// test/e2e): one key makes one account, one EAB key binds one account,
// and one new key goes to one account.

const concurrentClients = 8

// parallel runs f for 0…concurrentClients−1 at once and returns the errors.
func parallel(f func(i int) error) []error {
	errs := make([]error, concurrentClients)
	var wg sync.WaitGroup
	for i := range concurrentClients {
		wg.Go(func() { errs[i] = f(i) })
	}
	wg.Wait()
	return errs
}

// TestConcurrentNewAccountOneKey: concurrent new-accounts with one key
// all end at the same account.
func TestConcurrentNewAccountOneKey(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ts := newTestServer(t)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	uris := make([]string, concurrentClients)
	for i, err := range parallel(func(i int) error {
		c := &xacme.Client{Key: key, DirectoryURL: ts.dirURL(), HTTPClient: ts.srv.Client()}
		a, err := c.Register(ctx, &xacme.Account{}, xacme.AcceptTOS)
		if errors.Is(err, xacme.ErrAccountAlreadyExists) {
			a, err = c.GetReg(ctx, "")
		}
		if err == nil {
			uris[i] = a.URI
		}
		return err
	}) {
		if err != nil || uris[i] != uris[0] {
			t.Fatalf("client %d: %q %v, want %q", i, uris[i], err, uris[0])
		}
	}
}

// TestConcurrentEABBinding: one EAB key, concurrent new-accounts: one is
// bound, the others are 401.
func TestConcurrentEABBinding(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ts := newTestServerWith(t, func(p map[string]any) { p["requireEAB"] = true })
	key, _ := acme.NewEABKey()
	if err := ts.store.CreateACMEEABKey(ctx, &storage.ACMEEABKey{ID: key.ID, Provisioner: "acme", HMACKey: key.Key,
		CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	eab := &xacme.ExternalAccountBinding{KID: key.ID, Key: key.Key}
	errs := parallel(func(int) error {
		_, err := newClient(t, ts).Register(ctx, &xacme.Account{ExternalAccountBinding: eab}, xacme.AcceptTOS)
		return err
	})
	checkOneWinner(t, errs, http.StatusUnauthorized)
}

// TestConcurrentKeyRollover: accounts rolling over to one new key at once:
// one takes it, the others are 409.
func TestConcurrentKeyRollover(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ts := newTestServer(t)
	clients := make([]*xacme.Client, concurrentClients)
	for i := range clients {
		clients[i] = newClient(t, ts)
		if _, err := clients[i].Register(ctx, &xacme.Account{}, xacme.AcceptTOS); err != nil {
			t.Fatal(err)
		}
	}
	newKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	errs := parallel(func(i int) error { return clients[i].AccountKeyRollover(ctx, newKey) })
	checkOneWinner(t, errs, http.StatusConflict)
}

// checkOneWinner wants exactly one nil error and ACME errors of status
// loserStatus for the rest.
func checkOneWinner(t *testing.T, errs []error, loserStatus int) {
	t.Helper()
	won := 0
	for _, err := range errs {
		if err == nil {
			won++
			continue
		}
		var ae *xacme.Error
		if !errors.As(err, &ae) || ae.StatusCode != loserStatus {
			t.Errorf("loser: %v, want %d", err, loserStatus)
		}
	}
	if won != 1 {
		t.Fatalf("%d winners, want 1", won)
	}
}
