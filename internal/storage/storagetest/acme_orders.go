package storagetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stride-pki/stride/internal/storage"
)

func runACMEOrders(t *testing.T, o acmeOpener) {
	o.subtests(t, []acmeCase{
		{"RoundTripEveryField", orderRoundTrip},
		{"RoundTripMinimal", orderRoundTripMinimal},
		{"UnknownIsNotFound", orderNotFound},
		{"DuplicateOrderIDIsConflict", orderDuplicateID},
		{"ExistingAuthzIDIsConflict", orderExistingAuthz},
		{"RepeatedAuthzIDIsConflict", orderRepeatedAuthz},
		{"UpdateBumpsVersion", orderUpdate},
		{"StaleUpdateWritesNothing", orderStale},
		{"UpdateAbsentIsNotFound", orderUpdateAbsent},
		{"ListInCreationOrder", orderList},
		{"ListPages", orderListPages},
		{"ListKeepsPrefixAccountsApart", orderListPrefix},
	})
}

// orderRoundTrip: the order and its authorizations come back exactly, all
// at Version 1, set in place.
func orderRoundTrip(t *testing.T, s ACMEStore) {
	_, o, authzs := seedOrder(t, s)
	wantVersion(t, "created order", o.Version, 1)
	checkOrder(t, getOrder(t, s, o.ID), o)
	for _, a := range authzs {
		wantVersion(t, "created authz", a.Version, 1)
		checkAuthz(t, getAuthz(t, s, a.ID), a)
	}
}

func orderRoundTripMinimal(t *testing.T, s ACMEStore) {
	acct := newAccount(t, "acme")
	mustCreateAccount(t, s, acct)
	a := &storage.ACMEAuthz{ID: randomID(t), AccountID: acct.ID, Provisioner: "acme",
		Identifier: storage.ACMEIdentifier{Type: "ip", Value: "192.0.2.1"}, Status: "pending",
		CreatedAt: base, ExpiresAt: base.Add(time.Hour)}
	o := &storage.ACMEOrder{ID: randomID(t), AccountID: acct.ID, Provisioner: "acme",
		Identifiers: []storage.ACMEIdentifier{a.Identifier}, AuthzIDs: []string{a.ID}, Status: "pending",
		CreatedAt: base, ExpiresAt: base.Add(time.Hour)}
	mustCreateOrder(t, s, o, []*storage.ACMEAuthz{a})
	checkOrder(t, getOrder(t, s, o.ID), o)
	checkAuthz(t, getAuthz(t, s, a.ID), a)
}

func orderNotFound(t *testing.T, s ACMEStore) {
	seedOrder(t, s)
	wantNoOrder(t, s, randomID(t))
	wantNoAuthz(t, s, randomID(t))
	got, err := s.ACMEOrderByCertificate(bg, randomSerial(t))
	wantNotFound(t, "ACMEOrderByCertificate(unknown)", got, err)
}

// orderDuplicateID: nothing of the second order is written, not even its
// new authorizations.
func orderDuplicateID(t *testing.T, s ACMEStore) {
	acct, first, _ := seedOrder(t, s)
	second, authzs := newOrder(t, acct)
	second.ID = first.ID
	wantErr(t, "CreateACMEOrder(duplicate ID)", s.CreateACMEOrder(bg, second, authzs), storage.ErrConflict)
	checkOrder(t, getOrder(t, s, first.ID), first)
	for _, a := range authzs {
		wantNoAuthz(t, s, a.ID)
	}
}

func orderExistingAuthz(t *testing.T, s ACMEStore) {
	acct, first, firstAuthzs := seedOrder(t, s)
	second, authzs := newOrder(t, acct)
	authzs[1].ID = firstAuthzs[1].ID
	second.AuthzIDs[1] = authzs[1].ID
	wantErr(t, "CreateACMEOrder(existing authz ID)", s.CreateACMEOrder(bg, second, authzs), storage.ErrConflict)
	wantNoOrder(t, s, second.ID)
	wantNoAuthz(t, s, authzs[0].ID)
	checkAuthz(t, getAuthz(t, s, firstAuthzs[1].ID), firstAuthzs[1])
	rows, _, err := s.ListACMEOrders(bg, acct.ID, "", 0)
	wantErr(t, "ListACMEOrders", err, nil)
	if len(rows) != 1 || rows[0].ID != first.ID {
		t.Fatalf("ListACMEOrders lists %d orders, want only the first", len(rows))
	}
}

func orderRepeatedAuthz(t *testing.T, s ACMEStore) {
	acct := newAccount(t, "acme")
	mustCreateAccount(t, s, acct)
	o, authzs := newOrder(t, acct)
	authzs[1].ID = authzs[0].ID
	o.AuthzIDs[1] = authzs[0].ID
	wantErr(t, "CreateACMEOrder(one authz ID twice)", s.CreateACMEOrder(bg, o, authzs), storage.ErrConflict)
	wantNoOrder(t, s, o.ID)
	wantNoAuthz(t, s, authzs[0].ID)
}

func orderUpdate(t *testing.T, s ACMEStore) {
	_, o, _ := seedOrder(t, s)
	o.Status, o.Error = "ready", nil
	wantErr(t, "UpdateACMEOrder", s.UpdateACMEOrder(bg, o), nil)
	wantVersion(t, "updated order", o.Version, 2)
	checkOrder(t, getOrder(t, s, o.ID), o)
	o.Status = "invalid"
	o.Error = []byte(`{"type":"urn:ietf:params:acme:error:unauthorized"}`)
	wantErr(t, "UpdateACMEOrder", s.UpdateACMEOrder(bg, o), nil)
	wantVersion(t, "updated order", o.Version, 3)
	checkOrder(t, getOrder(t, s, o.ID), o)
}

func orderStale(t *testing.T, s ACMEStore) {
	_, o, _ := seedOrder(t, s)
	stale := *o
	o.Status = "ready"
	wantErr(t, "UpdateACMEOrder", s.UpdateACMEOrder(bg, o), nil)
	stale.Status = "invalid"
	wantErr(t, "UpdateACMEOrder(stale)", s.UpdateACMEOrder(bg, &stale), storage.ErrStale)
	checkOrder(t, getOrder(t, s, o.ID), o)
}

func orderUpdateAbsent(t *testing.T, s ACMEStore) {
	acct := newAccount(t, "acme")
	mustCreateAccount(t, s, acct)
	o, _ := newOrder(t, acct)
	o.Version = 1
	wantErr(t, "UpdateACMEOrder(absent)", s.UpdateACMEOrder(bg, o), storage.ErrNotFound)
	wantNoOrder(t, s, o.ID)
}

// seedOrders stores n orders of a new account, their IDs deliberately out
// of byte order and created a minute apart, interleaved with orders of
// another account; it returns the account and the IDs in creation order.
func seedOrders(t *testing.T, s ACMEStore, n int) (*storage.ACMEAccount, []string) {
	t.Helper()
	acct, other := newAccount(t, "acme"), newAccount(t, "acme")
	mustCreateAccount(t, s, acct)
	mustCreateAccount(t, s, other)
	var ids []string
	for i := range n {
		for _, a := range []*storage.ACMEAccount{acct, other} {
			o, authzs := newOrder(t, a)
			o.ID = fmt.Sprintf("%c-%s", 'z'-i, o.ID) // descending IDs
			o.CreatedAt = sec.Add(time.Duration(i) * time.Minute)
			mustCreateOrder(t, s, o, authzs)
			if a == acct {
				ids = append(ids, o.ID)
			}
		}
	}
	return acct, ids
}

func orderIDs(rows []storage.ACMEOrder) []string {
	var ids []string
	for _, r := range rows {
		ids = append(ids, r.ID)
	}
	return ids
}

func orderList(t *testing.T, s ACMEStore) {
	acct, ids := seedOrders(t, s, 5)
	rows, next, err := s.ListACMEOrders(bg, acct.ID, "", 0)
	wantErr(t, "ListACMEOrders", err, nil)
	if got := orderIDs(rows); !slices.Equal(got, ids) || next != "" {
		t.Fatalf("ListACMEOrders = %q, next %q; want %q in creation order, next \"\"", got, next, ids)
	}
	checkOrder(t, &rows[2], getOrder(t, s, ids[2]))
	rows, next, err = s.ListACMEOrders(bg, randomID(t), "", 0)
	if err != nil || len(rows) != 0 || next != "" {
		t.Fatalf("ListACMEOrders(unknown account) = %d rows, %q, %v; want none", len(rows), next, err)
	}
}

// orderListPages: every limit pages through the same orders once, and
// next is "" exactly on the last page (also when it is full).
func orderListPages(t *testing.T, s ACMEStore) {
	acct, ids := seedOrders(t, s, 5)
	for limit := 1; limit <= len(ids)+1; limit++ {
		var got []string
		cursor := ""
		for page := 0; ; page++ {
			if page > len(ids) {
				t.Fatalf("limit %d: paging does not end", limit)
			}
			rows, next, err := s.ListACMEOrders(bg, acct.ID, cursor, limit)
			wantErr(t, "ListACMEOrders", err, nil)
			if len(rows) > limit {
				t.Fatalf("limit %d: page of %d rows", limit, len(rows))
			}
			got = append(got, orderIDs(rows)...)
			if next == "" {
				break
			}
			if next != rows[len(rows)-1].ID {
				t.Fatalf("limit %d: next = %q, want the last row's ID %q", limit, next, rows[len(rows)-1].ID)
			}
			cursor = next
		}
		if !slices.Equal(got, ids) {
			t.Errorf("limit %d: pages = %q, want %q", limit, got, ids)
		}
	}
}

// orderListPrefix: an account whose ID extends another's does not share
// its list (a key-value index must delimit the account ID).
func orderListPrefix(t *testing.T, s ACMEStore) {
	short, long := newAccount(t, "acme"), newAccount(t, "acme")
	long.ID = short.ID + "x"
	want := map[string][]string{}
	for _, a := range []*storage.ACMEAccount{short, long} {
		mustCreateAccount(t, s, a)
		o, authzs := newOrder(t, a)
		mustCreateOrder(t, s, o, authzs)
		want[a.ID] = []string{o.ID}
	}
	for id, ids := range want {
		rows, _, err := s.ListACMEOrders(bg, id, "", 0)
		wantErr(t, "ListACMEOrders", err, nil)
		if got := orderIDs(rows); !slices.Equal(got, ids) {
			t.Errorf("ListACMEOrders(%s) = %q, want %q", id, got, ids)
		}
	}
}

func runACMEAuthzs(t *testing.T, o acmeOpener) {
	o.subtests(t, []acmeCase{
		{"UpdateBumpsVersion", authzUpdate},
		{"StaleUpdateWritesNothing", authzStale},
		{"UpdateAbsentIsNotFound", authzUpdateAbsent},
		{"DueValidationsEarliestFirst", authzDue},
		{"DueQueueFollowsUpdates", authzDueUpdates},
	})
}

func authzUpdate(t *testing.T, s ACMEStore) {
	_, _, authzs := seedOrder(t, s)
	a := authzs[0]
	a.Status, a.ValidateAt, a.Attempts = "valid", time.Time{}, 3
	a.Challenges[0].Status, a.Challenges[0].ValidatedAt = "valid", base.Add(time.Hour)
	wantErr(t, "UpdateACMEAuthz", s.UpdateACMEAuthz(bg, a), nil)
	wantVersion(t, "updated authz", a.Version, 2)
	checkAuthz(t, getAuthz(t, s, a.ID), a)
	checkAuthz(t, getAuthz(t, s, authzs[1].ID), authzs[1])
}

func authzStale(t *testing.T, s ACMEStore) {
	_, _, authzs := seedOrder(t, s)
	a := authzs[0]
	stale := *a
	stale.Challenges = slices.Clone(a.Challenges)
	a.Status = "valid"
	wantErr(t, "UpdateACMEAuthz", s.UpdateACMEAuthz(bg, a), nil)
	stale.Status, stale.Challenges[1].Status = "invalid", "valid"
	wantErr(t, "UpdateACMEAuthz(stale)", s.UpdateACMEAuthz(bg, &stale), storage.ErrStale)
	checkAuthz(t, getAuthz(t, s, a.ID), a)
}

func authzUpdateAbsent(t *testing.T, s ACMEStore) {
	acct := newAccount(t, "acme")
	a := newAuthz(t, acct, storage.ACMEIdentifier{Type: "dns", Value: "x.example"}, false)
	a.Version = 1
	wantErr(t, "UpdateACMEAuthz(absent)", s.UpdateACMEAuthz(bg, a), storage.ErrNotFound)
	wantNoAuthz(t, s, a.ID)
}

// seedDue stores one order whose authorizations are queued at the given
// offsets from sec (nil: not queued), and returns them.
func seedDue(t *testing.T, s ACMEStore, offsets ...*time.Duration) []*storage.ACMEAuthz {
	t.Helper()
	acct := newAccount(t, "acme")
	mustCreateAccount(t, s, acct)
	o, _ := newOrder(t, acct)
	var authzs []*storage.ACMEAuthz
	o.Identifiers, o.AuthzIDs = nil, nil
	for i, off := range offsets {
		id := storage.ACMEIdentifier{Type: "dns", Value: fmt.Sprintf("h%d.example.com", i)}
		a := newAuthz(t, acct, id, false)
		a.ValidateAt = time.Time{}
		if off != nil {
			a.ValidateAt = sec.Add(*off)
		}
		authzs = append(authzs, a)
		o.Identifiers, o.AuthzIDs = append(o.Identifiers, id), append(o.AuthzIDs, a.ID)
	}
	mustCreateOrder(t, s, o, authzs)
	return authzs
}

func at(d time.Duration) *time.Duration { return &d }

func due(t *testing.T, s ACMEStore, now time.Time, limit int) []string {
	t.Helper()
	rows, err := s.DueACMEValidations(bg, now, limit)
	wantErr(t, "DueACMEValidations", err, nil)
	var ids []string
	for _, r := range rows {
		ids = append(ids, r.ID)
	}
	return ids
}

// authzDue: only queued authorizations not after now, earliest first (now
// itself included), up to limit.
func authzDue(t *testing.T, s ACMEStore) {
	a := seedDue(t, s, at(-time.Minute), nil, at(time.Minute), at(0), at(-2*time.Minute))
	want := []string{a[4].ID, a[0].ID, a[3].ID}
	if got := due(t, s, sec, 10); !slices.Equal(got, want) {
		t.Errorf("due at now, limit 10 = %q, want %q", got, want)
	}
	if got := due(t, s, sec, 2); !slices.Equal(got, want[:2]) {
		t.Errorf("due at now, limit 2 = %q, want %q", got, want[:2])
	}
	if got := due(t, s, sec.Add(-3*time.Minute), 10); len(got) != 0 {
		t.Errorf("due before every queued time = %q, want none", got)
	}
	rows, err := s.DueACMEValidations(bg, sec, 1)
	wantErr(t, "DueACMEValidations", err, nil)
	if len(rows) != 1 {
		t.Fatalf("DueACMEValidations(limit 1) = %d rows", len(rows))
	}
	checkAuthz(t, &rows[0], a[4])
}

// authzDueUpdates: an update that clears or moves ValidateAt moves the
// authorization in the queue.
func authzDueUpdates(t *testing.T, s ACMEStore) {
	a := seedDue(t, s, at(-time.Minute), at(time.Hour))
	a[0].ValidateAt, a[0].Attempts = time.Time{}, 1
	wantErr(t, "UpdateACMEAuthz", s.UpdateACMEAuthz(bg, a[0]), nil)
	a[1].ValidateAt = sec.Add(-2 * time.Minute)
	wantErr(t, "UpdateACMEAuthz", s.UpdateACMEAuthz(bg, a[1]), nil)
	if got := due(t, s, sec, 10); !slices.Equal(got, []string{a[1].ID}) {
		t.Errorf("due after updates = %q, want only %q", got, a[1].ID)
	}
}
