package storagetest

import (
	"testing"

	"github.com/stride-pki/stride/internal/storage"
)

func runACMEAccounts(t *testing.T, o acmeOpener) {
	o.subtests(t, []acmeCase{
		{"RoundTripEveryField", acctRoundTrip},
		{"RoundTripMinimal", acctRoundTripMinimal},
		{"UnknownIsNotFound", acctNotFound},
		{"DuplicateIDIsConflict", acctDuplicateID},
		{"DuplicateKeyIsConflict", acctDuplicateKey},
		{"SameKeyInAnotherProvisioner", acctKeyOtherProvisioner},
		{"UpdateBumpsVersion", acctUpdate},
		{"StaleUpdateWritesNothing", acctStale},
		{"UpdateAbsentIsNotFound", acctUpdateAbsent},
		{"KeyRolloverMovesTheIndex", acctRollover},
		{"RolloverToTakenKeyIsConflict", acctRolloverTaken},
	})
}

// acctRoundTrip: every field comes back, by ID and by key, with Version 1
// set in place whatever the caller passed.
func acctRoundTrip(t *testing.T, s ACMEStore) {
	a := newAccount(t, "acme")
	mustCreateAccount(t, s, a)
	wantVersion(t, "created account", a.Version, 1)
	checkAccount(t, getAccount(t, s, a.ID), a)
	got, err := s.ACMEAccountByKey(bg, a.Provisioner, a.KeyID)
	wantErr(t, "ACMEAccountByKey", err, nil)
	checkAccount(t, got, a)
}

func acctRoundTripMinimal(t *testing.T, s ACMEStore) {
	a := &storage.ACMEAccount{ID: randomID(t), Provisioner: "acme", KeyID: randomID(t), Key: []byte(`{}`),
		Status: "valid", CreatedAt: base}
	mustCreateAccount(t, s, a)
	checkAccount(t, getAccount(t, s, a.ID), a)
}

func acctNotFound(t *testing.T, s ACMEStore) {
	a := newAccount(t, "acme")
	mustCreateAccount(t, s, a)
	got, err := s.ACMEAccount(bg, randomID(t))
	wantNotFound(t, "ACMEAccount(unknown)", got, err)
	got, err = s.ACMEAccountByKey(bg, "acme", randomID(t))
	wantNotFound(t, "ACMEAccountByKey(unknown key)", got, err)
	got, err = s.ACMEAccountByKey(bg, "other", a.KeyID)
	wantNotFound(t, "ACMEAccountByKey(key of another provisioner)", got, err)
}

// acctDuplicateID: the second account is not stored, not even its key index.
func acctDuplicateID(t *testing.T, s ACMEStore) {
	first := newAccount(t, "acme")
	mustCreateAccount(t, s, first)
	second := newAccount(t, "acme")
	second.ID, second.Status = first.ID, "deactivated"
	wantErr(t, "CreateACMEAccount(duplicate ID)", s.CreateACMEAccount(bg, second), storage.ErrConflict)
	checkAccount(t, getAccount(t, s, first.ID), first)
	got, err := s.ACMEAccountByKey(bg, "acme", second.KeyID)
	wantNotFound(t, "ACMEAccountByKey(loser's key)", got, err)
}

func acctDuplicateKey(t *testing.T, s ACMEStore) {
	first := newAccount(t, "acme")
	mustCreateAccount(t, s, first)
	first.Status = "deactivated" // KeyID stays unique among deactivated accounts too
	wantErr(t, "UpdateACMEAccount", s.UpdateACMEAccount(bg, first), nil)
	second := newAccount(t, "acme")
	second.KeyID = first.KeyID
	wantErr(t, "CreateACMEAccount(duplicate key)", s.CreateACMEAccount(bg, second), storage.ErrConflict)
	wantNoAccount(t, s, second)
	got, err := s.ACMEAccountByKey(bg, "acme", first.KeyID)
	wantErr(t, "ACMEAccountByKey", err, nil)
	checkAccount(t, got, first)
}

func acctKeyOtherProvisioner(t *testing.T, s ACMEStore) {
	a, b := newAccount(t, "acme"), newAccount(t, "acme-eab")
	b.KeyID = a.KeyID
	mustCreateAccount(t, s, a)
	mustCreateAccount(t, s, b)
	for _, want := range []*storage.ACMEAccount{a, b} {
		got, err := s.ACMEAccountByKey(bg, want.Provisioner, want.KeyID)
		wantErr(t, "ACMEAccountByKey", err, nil)
		checkAccount(t, got, want)
	}
}

// acctUpdate: each update adds one to Version, in place and stored.
func acctUpdate(t *testing.T, s ACMEStore) {
	a := newAccount(t, "acme")
	mustCreateAccount(t, s, a)
	a.Contact = []string{"mailto:new@example.com"}
	wantErr(t, "UpdateACMEAccount", s.UpdateACMEAccount(bg, a), nil)
	wantVersion(t, "updated account", a.Version, 2)
	checkAccount(t, getAccount(t, s, a.ID), a)
	a.Status, a.Contact = "deactivated", nil
	wantErr(t, "UpdateACMEAccount", s.UpdateACMEAccount(bg, a), nil)
	wantVersion(t, "updated account", a.Version, 3)
	checkAccount(t, getAccount(t, s, a.ID), a)
}

func acctStale(t *testing.T, s ACMEStore) {
	a := newAccount(t, "acme")
	mustCreateAccount(t, s, a)
	stale := *a
	a.Contact = []string{"mailto:winner@example.com"}
	wantErr(t, "UpdateACMEAccount", s.UpdateACMEAccount(bg, a), nil)
	stale.Status, stale.KeyID = "deactivated", randomID(t)
	wantErr(t, "UpdateACMEAccount(stale)", s.UpdateACMEAccount(bg, &stale), storage.ErrStale)
	checkAccount(t, getAccount(t, s, a.ID), a)
	got, err := s.ACMEAccountByKey(bg, "acme", stale.KeyID)
	wantNotFound(t, "ACMEAccountByKey(stale update's key)", got, err)
}

func acctUpdateAbsent(t *testing.T, s ACMEStore) {
	a := newAccount(t, "acme")
	a.Version = 1
	wantErr(t, "UpdateACMEAccount(absent)", s.UpdateACMEAccount(bg, a), storage.ErrNotFound)
	wantNoAccount(t, s, a)
}

// acctRollover (RFC 8555 §7.3.5): the new key finds the account, the old
// one no longer does.
func acctRollover(t *testing.T, s ACMEStore) {
	a := newAccount(t, "acme")
	mustCreateAccount(t, s, a)
	old := a.KeyID
	a.KeyID, a.Key = randomID(t), []byte(`{"kty":"OKP","crv":"Ed25519","x":"new"}`)
	wantErr(t, "UpdateACMEAccount(rollover)", s.UpdateACMEAccount(bg, a), nil)
	got, err := s.ACMEAccountByKey(bg, "acme", a.KeyID)
	wantErr(t, "ACMEAccountByKey(new key)", err, nil)
	checkAccount(t, got, a)
	got, err = s.ACMEAccountByKey(bg, "acme", old)
	wantNotFound(t, "ACMEAccountByKey(old key)", got, err)
	// The old key is free again for a new account.
	b := newAccount(t, "acme")
	b.KeyID = old
	mustCreateAccount(t, s, b)
}

func acctRolloverTaken(t *testing.T, s ACMEStore) {
	a, b := newAccount(t, "acme"), newAccount(t, "acme")
	mustCreateAccount(t, s, a)
	mustCreateAccount(t, s, b)
	moved := *a
	moved.KeyID, moved.Key = b.KeyID, b.Key
	wantErr(t, "UpdateACMEAccount(to b's key)", s.UpdateACMEAccount(bg, &moved), storage.ErrConflict)
	checkAccount(t, getAccount(t, s, a.ID), a)
	for _, want := range []*storage.ACMEAccount{a, b} {
		got, err := s.ACMEAccountByKey(bg, "acme", want.KeyID)
		wantErr(t, "ACMEAccountByKey", err, nil)
		checkAccount(t, got, want)
	}
}

func runACMEBinding(t *testing.T, o acmeOpener) {
	o.subtests(t, []acmeCase{
		{"BindsKeyOnCreate", bindOnCreate},
		{"UnknownKeyIsNotFound", bindUnknown},
		{"KeyOfAnotherProvisionerIsNotFound", bindOtherProvisioner},
		{"BoundKeyIsBound", bindTwice},
		{"DeletedKeyLeavesAccount", bindDeleted},
	})
}

func bindOnCreate(t *testing.T, s ACMEStore) {
	k := newEABKey(t, "acme-eab", "ops")
	mustCreateEABKey(t, s, k)
	a := newAccount(t, "acme-eab")
	a.EABKeyID = k.ID
	mustCreateAccount(t, s, a)
	checkAccount(t, getAccount(t, s, a.ID), a)
	got := getEABKey(t, s, k.ID)
	if got.AccountID != a.ID || got.BoundAt.IsZero() {
		t.Fatalf("bound key AccountID, BoundAt = %q, %v; want %q and a time", got.AccountID, got.BoundAt, a.ID)
	}
	k.AccountID, k.BoundAt = a.ID, got.BoundAt
	checkEABKey(t, got, k)
}

// wantUnbound fails unless the account does not exist and key k is still
// unbound (nothing of a failed binding was written).
func wantUnbound(t *testing.T, s ACMEStore, a *storage.ACMEAccount, k *storage.ACMEEABKey) {
	t.Helper()
	wantNoAccount(t, s, a)
	got, err := s.ACMEAccountByKey(bg, a.Provisioner, a.KeyID)
	wantNotFound(t, "ACMEAccountByKey(failed binding)", got, err)
	if k != nil {
		checkEABKey(t, getEABKey(t, s, k.ID), k)
	}
}

func bindUnknown(t *testing.T, s ACMEStore) {
	a := newAccount(t, "acme-eab")
	a.EABKeyID = randomID(t)
	wantErr(t, "CreateACMEAccount(unknown EAB key)", s.CreateACMEAccount(bg, a), storage.ErrNotFound)
	wantUnbound(t, s, a, nil)
}

func bindOtherProvisioner(t *testing.T, s ACMEStore) {
	k := newEABKey(t, "other", "")
	mustCreateEABKey(t, s, k)
	a := newAccount(t, "acme-eab")
	a.EABKeyID = k.ID
	wantErr(t, "CreateACMEAccount(another provisioner's key)", s.CreateACMEAccount(bg, a), storage.ErrNotFound)
	wantUnbound(t, s, a, k)
}

func bindTwice(t *testing.T, s ACMEStore) {
	k := newEABKey(t, "acme-eab", "")
	mustCreateEABKey(t, s, k)
	first, second := newAccount(t, "acme-eab"), newAccount(t, "acme-eab")
	first.EABKeyID, second.EABKeyID = k.ID, k.ID
	mustCreateAccount(t, s, first)
	wantErr(t, "CreateACMEAccount(bound key)", s.CreateACMEAccount(bg, second), storage.ErrEABKeyBound)
	got := getEABKey(t, s, k.ID)
	k.AccountID, k.BoundAt = first.ID, got.BoundAt
	wantUnbound(t, s, second, k)
}

// bindDeleted: deleting a bound key leaves its account working.
func bindDeleted(t *testing.T, s ACMEStore) {
	k := newEABKey(t, "acme-eab", "")
	mustCreateEABKey(t, s, k)
	a := newAccount(t, "acme-eab")
	a.EABKeyID = k.ID
	mustCreateAccount(t, s, a)
	wantErr(t, "DeleteACMEEABKey", s.DeleteACMEEABKey(bg, k.ID), nil)
	checkAccount(t, getAccount(t, s, a.ID), a)
	a.Contact = nil
	wantErr(t, "UpdateACMEAccount", s.UpdateACMEAccount(bg, a), nil)
	checkAccount(t, getAccount(t, s, a.ID), a)
}
