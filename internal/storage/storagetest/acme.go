package storagetest

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stride-pki/stride/internal/storage"
)

// ACMEStore is a store that keeps ACME state too. Backends implement
// storage.ACME beside storage.Store until the two interfaces are joined.
type ACMEStore interface {
	storage.Store
	storage.ACME
}

// RunACME runs the ACME part of the conformance suite, as Run does: open
// must return a new, empty store each time it is called. A failing
// subtest's name says which promise of storage.ACME broke, e.g.
// "RunACME/Finalize/StaleStoresNoCertificate".
func RunACME(t *testing.T, open func(t *testing.T) ACMEStore) {
	t.Helper()
	o := acmeOpener(open)
	t.Run("Accounts", func(t *testing.T) { runACMEAccounts(t, o) })
	t.Run("EABBinding", func(t *testing.T) { runACMEBinding(t, o) })
	t.Run("EABKeys", func(t *testing.T) { runACMEEABKeys(t, o) })
	t.Run("Orders", func(t *testing.T) { runACMEOrders(t, o) })
	t.Run("Authzs", func(t *testing.T) { runACMEAuthzs(t, o) })
	t.Run("Finalize", func(t *testing.T) { runACMEFinalize(t, o) })
	t.Run("Purge", func(t *testing.T) { runACMEPurge(t, o) })
	t.Run("Concurrency", func(t *testing.T) { runACMEConcurrency(t, o) })
	t.Run("Context", func(t *testing.T) { runACMEContext(t, o) })
	t.Run("Records", func(t *testing.T) { runACMERecords(t, o) })
}

// acmeOpener opens a store for one subtest and closes it when it ends.
type acmeOpener func(t *testing.T) ACMEStore

type acmeCase struct {
	name string
	fn   func(t *testing.T, s ACMEStore)
}

func (o acmeOpener) subtests(t *testing.T, cases []acmeCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := o(t)
			if s == nil {
				t.Fatal("open returned a nil store")
			}
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			c.fn(t, s)
		})
	}
}

// sec is base on a whole second: tests that compare times (due
// validations, purges) use it so a backend that rounds to the second
// keeps their order and their bounds.
var sec = base.Truncate(time.Second)

var bg = context.Background()

// randomID returns a random URL-safe ID, as the acme package chooses them.
func randomID(t testing.TB) string {
	t.Helper()
	return base64.RawURLEncoding.EncodeToString(randomBytes(t, 16))
}

// newAccount returns an account of prov with every field set but EABKeyID.
func newAccount(t testing.TB, prov string) *storage.ACMEAccount {
	t.Helper()
	return &storage.ACMEAccount{
		ID:          randomID(t),
		Provisioner: prov,
		KeyID:       randomID(t) + "-thumbprint",
		Key:         []byte(`{"kty":"EC","crv":"P-256","x":"` + randomID(t) + `","y":"` + randomID(t) + `"}`),
		// Deliberately not sorted: the store must keep the order.
		Contact:   []string{"mailto:zed@example.com", "mailto:admin@example.com"},
		Status:    "valid",
		CreatedAt: base,
		Version:   7, // the store sets 1
	}
}

// newOrder returns a pending order of acct with two authorizations (one a
// wildcard), every field set.
func newOrder(t testing.TB, acct *storage.ACMEAccount) (*storage.ACMEOrder, []*storage.ACMEAuthz) {
	t.Helper()
	idents := []storage.ACMEIdentifier{{Type: "dns", Value: "www.example.com"}, {Type: "dns", Value: "example.com"}}
	authzs := []*storage.ACMEAuthz{newAuthz(t, acct, idents[0], false), newAuthz(t, acct, idents[1], true)}
	return &storage.ACMEOrder{
		ID:          randomID(t),
		AccountID:   acct.ID,
		Provisioner: acct.Provisioner,
		Identifiers: idents,
		AuthzIDs:    []string{authzs[0].ID, authzs[1].ID},
		Status:      "pending",
		Profile:     "tlsserver",
		Replaces:    "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE",
		NotBefore:   base.Add(time.Hour),
		NotAfter:    base.Add(25 * time.Hour),
		CreatedAt:   base,
		ExpiresAt:   base.Add(24 * time.Hour),
		Error:       []byte(`{"type":"urn:ietf:params:acme:error:malformed"}`),
		Version:     5, // the store sets 1
	}, authzs
}

func newAuthz(t testing.TB, acct *storage.ACMEAccount, id storage.ACMEIdentifier, wildcard bool) *storage.ACMEAuthz {
	t.Helper()
	return &storage.ACMEAuthz{
		ID:          randomID(t),
		AccountID:   acct.ID,
		Provisioner: acct.Provisioner,
		Identifier:  id,
		Wildcard:    wildcard,
		Status:      "pending",
		Token:       randomID(t),
		Challenges: []storage.ACMEChallenge{
			{ID: randomID(t), Type: "http-01", Status: "pending"},
			{ID: randomID(t), Type: "dns-01", Status: "invalid", ValidatedAt: base.Add(time.Minute),
				Error: []byte(`{"type":"urn:ietf:params:acme:error:dns"}`)},
			{ID: randomID(t), Type: "tls-alpn-01", Status: "pending"},
		},
		CreatedAt:  base,
		ExpiresAt:  base.Add(24 * time.Hour),
		ValidateAt: base.Add(2 * time.Minute),
		Attempts:   2,
		Version:    3, // the store sets 1
	}
}

// newEABKey returns an unbound key of prov with every other field set.
func newEABKey(t testing.TB, prov, ref string) *storage.ACMEEABKey {
	t.Helper()
	return &storage.ACMEEABKey{
		ID:          randomID(t),
		Provisioner: prov,
		Reference:   ref,
		HMACKey:     randomBytes(t, 32),
		CreatedAt:   base,
		Policy:      []byte(`{"x509":{"allow":{"dns":["*.example.com"]}}}`),
	}
}

// same compares two records whose times were checked and zeroed: fmt
// shows nil and empty slices alike, which the contract tolerates.
func same(t *testing.T, what string, got, want any) {
	t.Helper()
	if g, w := fmt.Sprintf("%+v", got), fmt.Sprintf("%+v", want); g != w {
		t.Errorf("%s =\n  %s\nwant\n  %s", what, g, w)
	}
}

func checkAccount(t *testing.T, got *storage.ACMEAccount, want *storage.ACMEAccount) {
	t.Helper()
	if got == nil {
		t.Fatal("account is nil without an error")
	}
	g, w := *got, *want
	checkTime(t, "account CreatedAt", g.CreatedAt, w.CreatedAt)
	g.CreatedAt, w.CreatedAt = time.Time{}, time.Time{}
	same(t, "account", g, w)
}

func checkOrder(t *testing.T, got *storage.ACMEOrder, want *storage.ACMEOrder) {
	t.Helper()
	if got == nil {
		t.Fatal("order is nil without an error")
	}
	g, w := *got, *want
	for _, f := range []struct {
		name   string
		gp, wp *time.Time
	}{
		{"NotBefore", &g.NotBefore, &w.NotBefore}, {"NotAfter", &g.NotAfter, &w.NotAfter},
		{"CreatedAt", &g.CreatedAt, &w.CreatedAt}, {"ExpiresAt", &g.ExpiresAt, &w.ExpiresAt},
	} {
		checkTime(t, "order "+f.name, *f.gp, *f.wp)
		*f.gp, *f.wp = time.Time{}, time.Time{}
	}
	same(t, "order", g, w)
}

func checkAuthz(t *testing.T, got *storage.ACMEAuthz, want *storage.ACMEAuthz) {
	t.Helper()
	if got == nil {
		t.Fatal("authz is nil without an error")
	}
	g, w := *got, *want
	checkTime(t, "authz CreatedAt", g.CreatedAt, w.CreatedAt)
	checkTime(t, "authz ExpiresAt", g.ExpiresAt, w.ExpiresAt)
	checkTime(t, "authz ValidateAt", g.ValidateAt, w.ValidateAt)
	g.CreatedAt, g.ExpiresAt, g.ValidateAt = time.Time{}, time.Time{}, time.Time{}
	w.CreatedAt, w.ExpiresAt, w.ValidateAt = time.Time{}, time.Time{}, time.Time{}
	if len(g.Challenges) == len(w.Challenges) {
		g.Challenges = append([]storage.ACMEChallenge(nil), g.Challenges...)
		w.Challenges = append([]storage.ACMEChallenge(nil), w.Challenges...)
		for i := range g.Challenges {
			checkTime(t, fmt.Sprintf("challenge %d ValidatedAt", i), g.Challenges[i].ValidatedAt, w.Challenges[i].ValidatedAt)
			g.Challenges[i].ValidatedAt, w.Challenges[i].ValidatedAt = time.Time{}, time.Time{}
		}
	}
	same(t, "authz", g, w)
}

func checkEABKey(t *testing.T, got *storage.ACMEEABKey, want *storage.ACMEEABKey) {
	t.Helper()
	if got == nil {
		t.Fatal("EAB key is nil without an error")
	}
	g, w := *got, *want
	checkTime(t, "EAB CreatedAt", g.CreatedAt, w.CreatedAt)
	checkTime(t, "EAB BoundAt", g.BoundAt, w.BoundAt)
	g.CreatedAt, g.BoundAt, w.CreatedAt, w.BoundAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	same(t, "EAB key", g, w)
}

// getAccount reads an account that must exist.
func getAccount(t *testing.T, s ACMEStore, id string) *storage.ACMEAccount {
	t.Helper()
	a, err := s.ACMEAccount(bg, id)
	wantErr(t, "ACMEAccount", err, nil)
	return a
}

func getOrder(t *testing.T, s ACMEStore, id string) *storage.ACMEOrder {
	t.Helper()
	o, err := s.ACMEOrder(bg, id)
	wantErr(t, "ACMEOrder", err, nil)
	return o
}

func getAuthz(t *testing.T, s ACMEStore, id string) *storage.ACMEAuthz {
	t.Helper()
	a, err := s.ACMEAuthz(bg, id)
	wantErr(t, "ACMEAuthz", err, nil)
	return a
}

func getEABKey(t *testing.T, s ACMEStore, id string) *storage.ACMEEABKey {
	t.Helper()
	k, err := s.ACMEEABKey(bg, id)
	wantErr(t, "ACMEEABKey", err, nil)
	return k
}

// wantNotFound fails unless err (from a read of what) is ErrNotFound.
func wantNotFound(t *testing.T, what string, v any, err error) {
	t.Helper()
	if !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("%s = %+v, %v; want ErrNotFound", what, v, err)
	}
}

func wantNoAccount(t *testing.T, s ACMEStore, a *storage.ACMEAccount) {
	t.Helper()
	got, err := s.ACMEAccount(bg, a.ID)
	wantNotFound(t, "ACMEAccount("+a.ID+")", got, err)
}

func wantNoOrder(t *testing.T, s ACMEStore, id string) {
	t.Helper()
	got, err := s.ACMEOrder(bg, id)
	wantNotFound(t, "ACMEOrder("+id+")", got, err)
}

func wantNoAuthz(t *testing.T, s ACMEStore, id string) {
	t.Helper()
	got, err := s.ACMEAuthz(bg, id)
	wantNotFound(t, "ACMEAuthz("+id+")", got, err)
}

func mustCreateAccount(t *testing.T, s ACMEStore, a *storage.ACMEAccount) {
	t.Helper()
	wantErr(t, "CreateACMEAccount", s.CreateACMEAccount(bg, a), nil)
}

func mustCreateOrder(t *testing.T, s ACMEStore, o *storage.ACMEOrder, authzs []*storage.ACMEAuthz) {
	t.Helper()
	wantErr(t, "CreateACMEOrder", s.CreateACMEOrder(bg, o, authzs), nil)
}

func mustCreateEABKey(t *testing.T, s ACMEStore, k *storage.ACMEEABKey) {
	t.Helper()
	wantErr(t, "CreateACMEEABKey", s.CreateACMEEABKey(bg, k), nil)
}

// seedOrder stores a new account and an order of it, and returns them.
func seedOrder(t *testing.T, s ACMEStore) (*storage.ACMEAccount, *storage.ACMEOrder, []*storage.ACMEAuthz) {
	t.Helper()
	acct := newAccount(t, "acme")
	mustCreateAccount(t, s, acct)
	o, authzs := newOrder(t, acct)
	mustCreateOrder(t, s, o, authzs)
	return acct, o, authzs
}

// wantVersion fails unless v is want (what says whose).
func wantVersion(t *testing.T, what string, v, want int64) {
	t.Helper()
	if v != want {
		t.Fatalf("%s Version = %d, want %d", what, v, want)
	}
}
