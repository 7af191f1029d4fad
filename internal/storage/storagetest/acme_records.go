package storagetest

import (
	"testing"
	"time"

	"github.com/stride-pki/stride/internal/storage"
)

// runACMERecords checks the export walks (storage.Records) over ACME state
// and the binding an import relies on.
func runACMERecords(t *testing.T, o acmeOpener) {
	o.subtests(t, []acmeCase{
		{"EmptyStore", acmeRecEmpty},
		{"EveryAccountAndOrderOnce", acmeRecAll},
		{"PagesNeitherRepeatNorSkip", acmeRecPages},
		{"CursorNeedNotBeStored", acmeRecCursor},
		{"ImportedBoundKeyKeepsBinding", acmeRecBoundImport},
	})
}

func acmeRecEmpty(t *testing.T, s ACMEStore) {
	accts, next, err := s.ListACMEAccounts(bg, "", 10)
	if err != nil || len(accts) != 0 || next != "" {
		t.Fatalf("ListACMEAccounts on an empty store = %v, %q, %v", accts, next, err)
	}
	orders, next, err := s.ListAllACMEOrders(bg, "", 10)
	if err != nil || len(orders) != 0 || next != "" {
		t.Fatalf("ListAllACMEOrders on an empty store = %v, %q, %v", orders, next, err)
	}
}

// seedACMERecords stores n accounts in two provisioners (one deactivated)
// with two orders each, one of them valid, and returns them by ID.
func seedACMERecords(t *testing.T, s ACMEStore, n int) (map[string]*storage.ACMEAccount, map[string]*storage.ACMEOrder) {
	t.Helper()
	accts, orders := map[string]*storage.ACMEAccount{}, map[string]*storage.ACMEOrder{}
	for i := 0; i < n; i++ {
		a := newAccount(t, []string{"acme", "acme-2"}[i%2])
		if i == 1 {
			a.Status = "deactivated"
		}
		mustCreateAccount(t, s, a)
		accts[a.ID] = a
		for j := 0; j < 2; j++ {
			o, authzs := newOrder(t, a)
			o.CreatedAt = sec.Add(time.Duration(j) * time.Second)
			if j == 1 {
				o.Status, o.CertificateSerial = "valid", randomSerial(t)
			}
			mustCreateOrder(t, s, o, authzs)
			orders[o.ID] = o
		}
	}
	return accts, orders
}

func acmeRecAll(t *testing.T, s ACMEStore) {
	accts, orders := seedACMERecords(t, s, 5)
	gotAccts, next, err := s.ListACMEAccounts(bg, "", 0)
	wantErr(t, "ListACMEAccounts", err, nil)
	if next != "" || len(gotAccts) != len(accts) {
		t.Fatalf("ListACMEAccounts = %d rows, next %q; want %d, \"\"", len(gotAccts), next, len(accts))
	}
	for i := range gotAccts {
		if i > 0 && gotAccts[i-1].ID >= gotAccts[i].ID {
			t.Errorf("accounts not in ascending ID order: %q then %q", gotAccts[i-1].ID, gotAccts[i].ID)
		}
		want, ok := accts[gotAccts[i].ID]
		if !ok {
			t.Fatalf("ListACMEAccounts returned unknown account %q", gotAccts[i].ID)
		}
		checkAccount(t, &gotAccts[i], want)
	}
	gotOrders, next, err := s.ListAllACMEOrders(bg, "", 0)
	wantErr(t, "ListAllACMEOrders", err, nil)
	if next != "" || len(gotOrders) != len(orders) {
		t.Fatalf("ListAllACMEOrders = %d rows, next %q; want %d, \"\"", len(gotOrders), next, len(orders))
	}
	for i := range gotOrders {
		if i > 0 && gotOrders[i-1].ID >= gotOrders[i].ID {
			t.Errorf("orders not in ascending ID order: %q then %q", gotOrders[i-1].ID, gotOrders[i].ID)
		}
		want, ok := orders[gotOrders[i].ID]
		if !ok {
			t.Fatalf("ListAllACMEOrders returned unknown order %q", gotOrders[i].ID)
		}
		checkOrder(t, &gotOrders[i], want)
	}
}

func acmeRecPages(t *testing.T, s ACMEStore) {
	accts, orders := seedACMERecords(t, s, 7)
	seen := map[string]int{}
	walkPages(t, "ListACMEAccounts", func(cursor string) ([]string, string, error) {
		rows, next, err := s.ListACMEAccounts(bg, cursor, 3)
		ids := make([]string, len(rows))
		for i := range rows {
			ids[i] = "a" + rows[i].ID
		}
		return ids, next, err
	}, seen)
	walkPages(t, "ListAllACMEOrders", func(cursor string) ([]string, string, error) {
		rows, next, err := s.ListAllACMEOrders(bg, cursor, 3)
		ids := make([]string, len(rows))
		for i := range rows {
			ids[i] = "o" + rows[i].ID
		}
		return ids, next, err
	}, seen)
	if len(seen) != len(accts)+len(orders) {
		t.Fatalf("paging saw %d distinct rows, want %d", len(seen), len(accts)+len(orders))
	}
	for k, n := range seen {
		if n != 1 {
			t.Errorf("%s listed %d times", k, n)
		}
	}
}

// walkPages pages through list with pages of 3 and counts each row in seen.
func walkPages(t *testing.T, op string, list func(cursor string) ([]string, string, error), seen map[string]int) {
	t.Helper()
	for cursor, pages := "", 0; ; pages++ {
		ids, next, err := list(cursor)
		wantErr(t, op, err, nil)
		if len(ids) > 3 || pages > 10 {
			t.Fatalf("%s: page of %d rows (page %d)", op, len(ids), pages)
		}
		if next != "" && (len(ids) != 3 || next != ids[len(ids)-1][1:]) {
			t.Fatalf("%s: next %q after a page of %d ending %v", op, next, len(ids), ids)
		}
		for _, id := range ids {
			seen[id]++
		}
		if next == "" {
			return
		}
		cursor = next
	}
}

// acmeRecCursor: a cursor between two stored IDs (such as a row deleted
// between pages) resumes at the next ID.
func acmeRecCursor(t *testing.T, s ACMEStore) {
	accts, _ := seedACMERecords(t, s, 3)
	all, _, err := s.ListACMEAccounts(bg, "", 0)
	wantErr(t, "ListACMEAccounts", err, nil)
	if len(all) != len(accts) {
		t.Fatalf("ListACMEAccounts = %d rows, want %d", len(all), len(accts))
	}
	// IDs are base64url, of one length: all[0].ID + "~" sorts after
	// all[0].ID and before all[1].ID (not NUL: PostgreSQL text refuses it).
	rows, _, err := s.ListACMEAccounts(bg, all[0].ID+"~", 0)
	wantErr(t, "ListACMEAccounts(unstored cursor)", err, nil)
	if len(rows) != len(all)-1 || rows[0].ID != all[1].ID {
		t.Fatalf("after an unstored cursor: %d rows from %q; want %d from %q", len(rows), firstID(rows), len(all)-1, all[1].ID)
	}
}

func firstID(rows []storage.ACMEAccount) string {
	if len(rows) == 0 {
		return ""
	}
	return rows[0].ID
}

// acmeRecBoundImport: an import stores an EAB key bound already, then
// re-creates its account; the binding and its BoundAt stay as imported,
// while another account still cannot take the key.
func acmeRecBoundImport(t *testing.T, s ACMEStore) {
	a := newAccount(t, "acme-eab")
	k := newEABKey(t, "acme-eab", "ops")
	k.AccountID, k.BoundAt = a.ID, base.Add(time.Hour)
	mustCreateEABKey(t, s, k)
	checkEABKey(t, getEABKey(t, s, k.ID), k)
	a.EABKeyID = k.ID
	mustCreateAccount(t, s, a)
	checkAccount(t, getAccount(t, s, a.ID), a)
	checkEABKey(t, getEABKey(t, s, k.ID), k)
	other := newAccount(t, "acme-eab")
	other.EABKeyID = k.ID
	wantErr(t, "CreateACMEAccount(key bound to another)", s.CreateACMEAccount(bg, other), storage.ErrEABKeyBound)
	wantNoAccount(t, s, other)
	checkEABKey(t, getEABKey(t, s, k.ID), k)
}
