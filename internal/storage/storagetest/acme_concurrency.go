package storagetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stride-pki/stride/internal/storage"
)

// acmeWorkers is how many callers race on one record: replicas finalizing
// one order, or a client retrying.
const acmeWorkers = 16

func runACMEConcurrency(t *testing.T, o acmeOpener) {
	o.subtests(t, []acmeCase{
		{"FinalizeRaceStoresOneCertificate", concFinalize},
		{"UpdateOrFinalizeRaceHasOneWinner", concUpdateOrFinalize},
		{"AuthzUpdateRaceHasOneWinner", concAuthzUpdate},
		{"SameKeyAccountsHaveOneWinner", concSameKey},
		{"OneEABKeyBindsOnce", concBind},
	})
}

// concFinalize: every caller read Version 1 and brings its own
// certificate; one order, one certificate.
func concFinalize(t *testing.T, s ACMEStore) {
	_, o, _ := seedOrder(t, s)
	orders := make([]*storage.ACMEOrder, acmeWorkers)
	certs := make([]storage.Certificate, acmeWorkers)
	for i := range orders {
		orders[i], certs[i] = finalized(t, o)
	}
	errs := race(acmeWorkers, func(i int) error { return s.FinalizeACMEOrder(bg, orders[i], certs[i]) })
	w := oneWinner(t, errs, storage.ErrStale)
	checkOrder(t, getOrder(t, s, o.ID), orders[w])
	wantOnlyCertificate(t, s, certs, w)
}

// wantOnlyCertificate fails unless certs[w] (w < 0: none) is the only one
// of certs stored.
func wantOnlyCertificate(t *testing.T, s ACMEStore, certs []storage.Certificate, w int) {
	t.Helper()
	for i, c := range certs {
		if i != w {
			wantNoCertificate(t, s, c.Serial)
			continue
		}
		got, err := s.Certificate(bg, c.Serial)
		wantErr(t, "Certificate(winner)", err, nil)
		checkCertificate(t, got, c)
	}
}

// concUpdateOrFinalize: half the callers update, half finalize, all from
// Version 1: one of them wins, and a certificate exists only if a
// finalizer won.
func concUpdateOrFinalize(t *testing.T, s ACMEStore) {
	_, o, _ := seedOrder(t, s)
	orders := make([]*storage.ACMEOrder, acmeWorkers)
	certs := make([]storage.Certificate, acmeWorkers)
	for i := range orders {
		orders[i], certs[i] = finalized(t, o)
		if i%2 == 0 {
			orders[i].Status, orders[i].CertificateSerial = "invalid", ""
		}
	}
	errs := race(acmeWorkers, func(i int) error {
		if i%2 == 0 {
			return s.UpdateACMEOrder(bg, orders[i])
		}
		return s.FinalizeACMEOrder(bg, orders[i], certs[i])
	})
	w := oneWinner(t, errs, storage.ErrStale)
	got := getOrder(t, s, o.ID)
	wantVersion(t, "raced order", got.Version, 2)
	checkOrder(t, got, orders[w])
	if w%2 == 0 {
		w = -1 // an updater won: no certificate
	}
	wantOnlyCertificate(t, s, certs, w)
}

func concAuthzUpdate(t *testing.T, s ACMEStore) {
	_, _, authzs := seedOrder(t, s)
	updates := make([]*storage.ACMEAuthz, acmeWorkers)
	for i := range updates {
		a := *authzs[0]
		a.Attempts = 100 + i
		updates[i] = &a
	}
	errs := race(acmeWorkers, func(i int) error { return s.UpdateACMEAuthz(bg, updates[i]) })
	w := oneWinner(t, errs, storage.ErrStale)
	checkAuthz(t, getAuthz(t, s, authzs[0].ID), updates[w])
}

func concSameKey(t *testing.T, s ACMEStore) {
	accts := make([]*storage.ACMEAccount, acmeWorkers)
	for i := range accts {
		accts[i] = newAccount(t, "acme")
		accts[i].KeyID = accts[0].KeyID
	}
	errs := race(acmeWorkers, func(i int) error { return s.CreateACMEAccount(bg, accts[i]) })
	w := oneWinner(t, errs, storage.ErrConflict)
	for i, a := range accts {
		if i != w {
			wantNoAccount(t, s, a)
		}
	}
	got, err := s.ACMEAccountByKey(bg, "acme", accts[0].KeyID)
	wantErr(t, "ACMEAccountByKey", err, nil)
	checkAccount(t, got, accts[w])
}

func concBind(t *testing.T, s ACMEStore) {
	k := newEABKey(t, "acme-eab", "")
	mustCreateEABKey(t, s, k)
	accts := make([]*storage.ACMEAccount, acmeWorkers)
	for i := range accts {
		accts[i] = newAccount(t, "acme-eab")
		accts[i].EABKeyID = k.ID
	}
	errs := race(acmeWorkers, func(i int) error { return s.CreateACMEAccount(bg, accts[i]) })
	w := oneWinner(t, errs, storage.ErrEABKeyBound)
	for i, a := range accts {
		if i != w {
			wantNoAccount(t, s, a)
		}
	}
	if got := getEABKey(t, s, k.ID); got.AccountID != accts[w].ID {
		t.Fatalf("key bound to %q, want the winner %q", got.AccountID, accts[w].ID)
	}
}

func runACMEContext(t *testing.T, o acmeOpener) {
	o.subtests(t, []acmeCase{
		{"CancelledWritesNothing", acmeCancelled},
		{"CancelledReadsFail", acmeCancelledReads},
	})
}

// acmeCancelled: every write with a done context returns ctx.Err() and
// leaves the store as it was.
func acmeCancelled(t *testing.T, s ACMEStore) {
	ctx, cancel := context.WithCancel(bg)
	cancel()
	acct, o, authzs := seedOrder(t, s)
	k := newEABKey(t, "acme", "ops")
	mustCreateEABKey(t, s, k)
	expired, expiredAuthzs := purgeOrder(t, s, acct, "pending", -time.Hour, 1)

	newAcct := newAccount(t, "acme")
	newAcct.EABKeyID = k.ID
	newO, newAuthzs := newOrder(t, acct)
	upAcct, upOrder, upAuthz := *acct, *o, *authzs[0]
	upAcct.Status, upOrder.Status, upAuthz.Status = "deactivated", "invalid", "invalid"
	fin, cert := finalized(t, o)
	newKey := newEABKey(t, "acme", "other")
	for name, call := range map[string]func() error{
		"CreateACMEAccount": func() error { return s.CreateACMEAccount(ctx, newAcct) },
		"UpdateACMEAccount": func() error { return s.UpdateACMEAccount(ctx, &upAcct) },
		"CreateACMEOrder":   func() error { return s.CreateACMEOrder(ctx, newO, newAuthzs) },
		"UpdateACMEOrder":   func() error { return s.UpdateACMEOrder(ctx, &upOrder) },
		"FinalizeACMEOrder": func() error { return s.FinalizeACMEOrder(ctx, fin, cert) },
		"UpdateACMEAuthz":   func() error { return s.UpdateACMEAuthz(ctx, &upAuthz) },
		"CreateACMEEABKey":  func() error { return s.CreateACMEEABKey(ctx, newKey) },
		"DeleteACMEEABKey":  func() error { return s.DeleteACMEEABKey(ctx, k.ID) },
		"PurgeACME":         func() error { _, err := s.PurgeACME(ctx, sec); return err },
	} {
		if err := call(); !errors.Is(err, context.Canceled) {
			t.Errorf("%s(cancelled) = %v, want context.Canceled", name, err)
		}
	}
	wantUnbound(t, s, newAcct, k)
	checkAccount(t, getAccount(t, s, acct.ID), acct)
	wantNoOrder(t, s, newO.ID)
	checkOrder(t, getOrder(t, s, o.ID), o)
	wantNoCertificate(t, s, cert.Serial)
	checkAuthz(t, getAuthz(t, s, authzs[0].ID), authzs[0])
	got, err := s.ACMEEABKey(bg, newKey.ID)
	wantNotFound(t, "ACMEEABKey(cancelled create)", got, err)
	checkOrder(t, getOrder(t, s, expired.ID), expired)
	checkAuthz(t, getAuthz(t, s, expiredAuthzs[0].ID), expiredAuthzs[0])
}

func acmeCancelledReads(t *testing.T, s ACMEStore) {
	acct, o, authzs := seedOrder(t, s)
	ctx, cancel := context.WithCancel(bg)
	cancel()
	for name, call := range map[string]func() error{
		"ACMEAccount":        func() error { _, err := s.ACMEAccount(ctx, acct.ID); return err },
		"ACMEOrder":          func() error { _, err := s.ACMEOrder(ctx, o.ID); return err },
		"ACMEAuthz":          func() error { _, err := s.ACMEAuthz(ctx, authzs[0].ID); return err },
		"ListACMEOrders":     func() error { _, _, err := s.ListACMEOrders(ctx, acct.ID, "", 0); return err },
		"DueACMEValidations": func() error { _, err := s.DueACMEValidations(ctx, sec, 10); return err },
	} {
		if err := call(); !errors.Is(err, context.Canceled) {
			t.Errorf("%s(cancelled) = %v, want context.Canceled", name, err)
		}
	}
}
