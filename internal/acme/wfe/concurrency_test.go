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

// TestConcurrentSingleUse: within one process, the single-use steps hold
// under concurrency (security.md §4.2 I5; — the
// two-replica variants run in test/e2e): one key makes one account, one
// EAB key binds one account, and one new key goes to one account.
func TestConcurrentSingleUse(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const n = 8
	parallel := func(f func(i int) error) []error {
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { errs[i] = f(i) })
		}
		wg.Wait()
		return errs
	}

	t.Run("new-account with one key", func(t *testing.T) {
		ts := newTestServer(t)
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		uris := make([]string, n)
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
	})

	t.Run("one EAB key", func(t *testing.T) {
		ts := newTestServerWith(t, func(p map[string]any) { p["requireEAB"] = true })
		key, _ := acme.NewEABKey()
		if err := ts.store.CreateACMEEABKey(ctx, &storage.ACMEEABKey{ID: key.ID, Provisioner: "acme", HMACKey: key.Key,
			CreatedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
		eab := &xacme.ExternalAccountBinding{KID: key.ID, Key: key.Key}
		won := 0
		for _, err := range parallel(func(int) error {
			_, err := newClient(t, ts).Register(ctx, &xacme.Account{ExternalAccountBinding: eab}, xacme.AcceptTOS)
			return err
		}) {
			if err == nil {
				won++
				continue
			}
			var ae *xacme.Error
			if !errors.As(err, &ae) || ae.StatusCode != http.StatusUnauthorized {
				t.Errorf("loser: %v, want 401 unauthorized", err)
			}
		}
		if won != 1 {
			t.Fatalf("%d accounts bound one EAB key", won)
		}
	})

	t.Run("one new key for several accounts", func(t *testing.T) {
		ts := newTestServer(t)
		clients := make([]*xacme.Client, n)
		for i := range clients {
			clients[i] = newClient(t, ts)
			if _, err := clients[i].Register(ctx, &xacme.Account{}, xacme.AcceptTOS); err != nil {
				t.Fatal(err)
			}
		}
		newKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		won := 0
		for _, err := range parallel(func(i int) error { return clients[i].AccountKeyRollover(ctx, newKey) }) {
			if err == nil {
				won++
				continue
			}
			var ae *xacme.Error
			if !errors.As(err, &ae) || ae.StatusCode != http.StatusConflict {
				t.Errorf("loser: %v, want 409", err)
			}
		}
		if won != 1 {
			t.Fatalf("%d accounts took the new key", won)
		}
	})
}
