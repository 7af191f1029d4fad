package storagetest

import (
	"slices"
	"testing"

	"github.com/stride-pki/stride/internal/storage"
)

func runACMEEABKeys(t *testing.T, o acmeOpener) {
	o.subtests(t, []acmeCase{
		{"RoundTripEveryField", eabRoundTrip},
		{"UnknownIsNotFound", eabNotFound},
		{"DuplicateIDIsConflict", eabDuplicateID},
		{"DuplicateReferenceIsConflict", eabDuplicateRef},
		{"SameReferenceInAnotherProvisioner", eabRefOtherProvisioner},
		{"EmptyReferencesDoNotConflict", eabEmptyRefs},
		{"ListByProvisionerOrderedByID", eabList},
		{"DeleteFreesIDAndReference", eabDelete},
	})
}

func eabRoundTrip(t *testing.T, s ACMEStore) {
	k := newEABKey(t, "acme-eab", "build-farm")
	mustCreateEABKey(t, s, k)
	checkEABKey(t, getEABKey(t, s, k.ID), k)
}

func eabNotFound(t *testing.T, s ACMEStore) {
	mustCreateEABKey(t, s, newEABKey(t, "acme-eab", ""))
	got, err := s.ACMEEABKey(bg, randomID(t))
	wantNotFound(t, "ACMEEABKey(unknown)", got, err)
	wantErr(t, "DeleteACMEEABKey(unknown)", s.DeleteACMEEABKey(bg, randomID(t)), storage.ErrNotFound)
}

func eabDuplicateID(t *testing.T, s ACMEStore) {
	first := newEABKey(t, "acme-eab", "one")
	mustCreateEABKey(t, s, first)
	second := newEABKey(t, "other", "two")
	second.ID = first.ID
	wantErr(t, "CreateACMEEABKey(duplicate ID)", s.CreateACMEEABKey(bg, second), storage.ErrConflict)
	checkEABKey(t, getEABKey(t, s, first.ID), first)
	// The loser's reference was not taken.
	mustCreateEABKey(t, s, newEABKey(t, "other", "two"))
}

func eabDuplicateRef(t *testing.T, s ACMEStore) {
	first := newEABKey(t, "acme-eab", "ops")
	mustCreateEABKey(t, s, first)
	second := newEABKey(t, "acme-eab", "ops")
	wantErr(t, "CreateACMEEABKey(duplicate reference)", s.CreateACMEEABKey(bg, second), storage.ErrConflict)
	got, err := s.ACMEEABKey(bg, second.ID)
	wantNotFound(t, "ACMEEABKey(loser)", got, err)
	checkEABKey(t, getEABKey(t, s, first.ID), first)
}

func eabRefOtherProvisioner(t *testing.T, s ACMEStore) {
	a, b := newEABKey(t, "acme-eab", "ops"), newEABKey(t, "other", "ops")
	mustCreateEABKey(t, s, a)
	mustCreateEABKey(t, s, b)
	checkEABKey(t, getEABKey(t, s, b.ID), b)
}

func eabEmptyRefs(t *testing.T, s ACMEStore) {
	for range 3 {
		k := newEABKey(t, "acme-eab", "")
		mustCreateEABKey(t, s, k)
		checkEABKey(t, getEABKey(t, s, k.ID), k)
	}
}

// eabList: keys created out of ID order, in two provisioners, list by ID,
// bound ones included.
func eabList(t *testing.T, s ACMEStore) {
	ids := []string{"k-m", "k-b", "k-z", "k-a", "k-q"}
	byProv := map[string][]string{}
	var all []string
	for i, id := range ids {
		// "acme-eab2" extends "acme-eab": a key-value index must delimit it.
		prov := []string{"acme-eab", "acme-eab2"}[i%2]
		k := newEABKey(t, prov, "")
		k.ID = id
		mustCreateEABKey(t, s, k)
		byProv[prov] = append(byProv[prov], id)
		all = append(all, id)
	}
	a := newAccount(t, "acme-eab")
	a.EABKeyID = "k-z"
	mustCreateAccount(t, s, a)
	for prov, want := range map[string][]string{"acme-eab": byProv["acme-eab"], "acme-eab2": byProv["acme-eab2"], "": all, "none": nil} {
		got, err := s.ListACMEEABKeys(bg, prov)
		wantErr(t, "ListACMEEABKeys("+prov+")", err, nil)
		var gotIDs []string
		for _, k := range got {
			if prov != "" && k.Provisioner != prov {
				t.Errorf("ListACMEEABKeys(%q) listed %s of %q", prov, k.ID, k.Provisioner)
			}
			gotIDs = append(gotIDs, k.ID)
			if k.ID == "k-z" && k.AccountID != a.ID {
				t.Errorf("listed k-z AccountID = %q, want %q", k.AccountID, a.ID)
			}
		}
		want = slices.Clone(want)
		slices.Sort(want)
		if !slices.Equal(gotIDs, want) {
			t.Errorf("ListACMEEABKeys(%q) = %q, want %q", prov, gotIDs, want)
		}
	}
}

func eabDelete(t *testing.T, s ACMEStore) {
	k := newEABKey(t, "acme-eab", "ops")
	mustCreateEABKey(t, s, k)
	wantErr(t, "DeleteACMEEABKey", s.DeleteACMEEABKey(bg, k.ID), nil)
	got, err := s.ACMEEABKey(bg, k.ID)
	wantNotFound(t, "ACMEEABKey(deleted)", got, err)
	wantErr(t, "DeleteACMEEABKey(again)", s.DeleteACMEEABKey(bg, k.ID), storage.ErrNotFound)
	list, err := s.ListACMEEABKeys(bg, "")
	if err != nil || len(list) != 0 {
		t.Fatalf("ListACMEEABKeys after delete = %+v, %v; want none", list, err)
	}
	again := newEABKey(t, "acme-eab", "ops")
	again.ID = k.ID
	mustCreateEABKey(t, s, again)
	checkEABKey(t, getEABKey(t, s, k.ID), again)
}
