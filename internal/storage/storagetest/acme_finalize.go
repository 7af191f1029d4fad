package storagetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stride-pki/stride/internal/storage"
)

func runACMEFinalize(t *testing.T, o acmeOpener) {
	o.subtests(t, []acmeCase{
		{"StoresCertificateAndOrder", finalizeStores},
		{"StaleStoresNoCertificate", finalizeStale},
		{"ExistingSerialIsConflict", finalizeConflict},
		{"AbsentOrderStoresNoCertificate", finalizeAbsent},
	})
}

// finalized returns o as FinalizeACMEOrder would be asked to store it,
// with a certificate of a fresh serial.
func finalized(t *testing.T, o *storage.ACMEOrder) (*storage.ACMEOrder, storage.Certificate) {
	t.Helper()
	cert := newCert(t)
	cert.Provisioner = storage.ProvisionerRef{ID: "acme/" + o.Provisioner, Name: o.Provisioner, Type: "ACME"}
	f := *o
	f.Status, f.CertificateSerial, f.Error = "valid", cert.Serial, nil
	return &f, cert
}

// finalizeStores: the certificate is a certificate like any other (read
// and listed), and the order leads to it and back.
func finalizeStores(t *testing.T, s ACMEStore) {
	_, o, _ := seedOrder(t, s)
	f, cert := finalized(t, o)
	wantErr(t, "FinalizeACMEOrder", s.FinalizeACMEOrder(bg, f, cert), nil)
	wantVersion(t, "finalized order", f.Version, 2)
	checkOrder(t, getOrder(t, s, o.ID), f)
	got, err := s.Certificate(bg, cert.Serial)
	wantErr(t, "Certificate", err, nil)
	checkCertificate(t, got, cert)
	rows, _, err := s.ListCertificates(bg, storage.CertificateFilter{Provisioner: o.Provisioner}, "", 0)
	wantErr(t, "ListCertificates", err, nil)
	if len(rows) != 1 || rows[0].Revocation != nil {
		t.Fatalf("ListCertificates lists %d rows, want the finalized certificate, unrevoked", len(rows))
	}
	checkCertificate(t, &rows[0].Certificate, cert)
	byCert, err := s.ACMEOrderByCertificate(bg, cert.Serial)
	wantErr(t, "ACMEOrderByCertificate", err, nil)
	checkOrder(t, byCert, f)
}

func finalizeStale(t *testing.T, s ACMEStore) {
	_, o, _ := seedOrder(t, s)
	f, cert := finalized(t, o)
	o.Status = "invalid"
	wantErr(t, "UpdateACMEOrder", s.UpdateACMEOrder(bg, o), nil)
	wantErr(t, "FinalizeACMEOrder(stale)", s.FinalizeACMEOrder(bg, f, cert), storage.ErrStale)
	wantNoCertificate(t, s, cert.Serial)
	checkOrder(t, getOrder(t, s, o.ID), o)
	got, err := s.ACMEOrderByCertificate(bg, cert.Serial)
	wantNotFound(t, "ACMEOrderByCertificate(stale finalize)", got, err)
}

// finalizeConflict: a serial that exists leaves both the stored
// certificate and the order as they were.
func finalizeConflict(t *testing.T, s ACMEStore) {
	_, o, _ := seedOrder(t, s)
	existing := newCert(t)
	mustRecord(t, s, existing, nil)
	f, cert := finalized(t, o)
	cert.Serial, f.CertificateSerial = existing.Serial, existing.Serial
	wantErr(t, "FinalizeACMEOrder(existing serial)", s.FinalizeACMEOrder(bg, f, cert), storage.ErrConflict)
	checkOrder(t, getOrder(t, s, o.ID), o)
	got, err := s.Certificate(bg, existing.Serial)
	wantErr(t, "Certificate", err, nil)
	checkCertificate(t, got, existing)
	byCert, err := s.ACMEOrderByCertificate(bg, existing.Serial)
	wantNotFound(t, "ACMEOrderByCertificate(conflicting serial)", byCert, err)
}

// finalizeAbsent: the contract names no sentinel for an absent order, but
// the call must fail and store nothing.
func finalizeAbsent(t *testing.T, s ACMEStore) {
	acct := newAccount(t, "acme")
	mustCreateAccount(t, s, acct)
	o, _ := newOrder(t, acct)
	o.Version = 1
	f, cert := finalized(t, o)
	if err := s.FinalizeACMEOrder(bg, f, cert); err == nil {
		t.Fatal("FinalizeACMEOrder of an absent order succeeded")
	}
	wantNoCertificate(t, s, cert.Serial)
	wantNoOrder(t, s, o.ID)
}

func runACMEPurge(t *testing.T, o acmeOpener) {
	o.subtests(t, []acmeCase{
		{"DeletesExpiredUnlessValid", purgeExpired},
		{"EmptyStore", purgeEmpty},
		{"LargeBacklog", purgeBacklog},
	})
}

// purgeOrder stores an order of acct with status, expiring at sec+exp,
// with n authorizations (the first one queued for validation).
func purgeOrder(t *testing.T, s ACMEStore, acct *storage.ACMEAccount, status string, exp time.Duration, n int) (*storage.ACMEOrder, []*storage.ACMEAuthz) {
	t.Helper()
	o, authzs := newOrder(t, acct)
	o.Status, o.ExpiresAt = status, sec.Add(exp)
	authzs = authzs[:n]
	o.Identifiers, o.AuthzIDs = o.Identifiers[:n], o.AuthzIDs[:n]
	for i, a := range authzs {
		a.ExpiresAt, a.ValidateAt = o.ExpiresAt, time.Time{}
		if i == 0 {
			a.ValidateAt = sec.Add(-time.Hour)
		}
	}
	mustCreateOrder(t, s, o, authzs)
	return o, authzs
}

// purgeExpired: orders that are not valid and expired strictly before the
// cut go, with their authorizations, from every lookup; the count is of
// orders and authorizations deleted.
func purgeExpired(t *testing.T, s ACMEStore) {
	acct := newAccount(t, "acme")
	mustCreateAccount(t, s, acct)
	pending, pendingAuthzs := purgeOrder(t, s, acct, "pending", -2*time.Hour, 2)
	invalid, invalidAuthzs := purgeOrder(t, s, acct, "invalid", -time.Hour, 1)
	valid, validAuthzs := purgeOrder(t, s, acct, "ready", -time.Hour, 1)
	fv, cert := finalized(t, valid)
	wantErr(t, "FinalizeACMEOrder", s.FinalizeACMEOrder(bg, fv, cert), nil)
	atCut, atCutAuthzs := purgeOrder(t, s, acct, "pending", 0, 1)
	fresh, freshAuthzs := purgeOrder(t, s, acct, "processing", time.Hour, 2)

	n, err := s.PurgeACME(bg, sec)
	wantErr(t, "PurgeACME", err, nil)
	if n != 5 {
		t.Errorf("PurgeACME = %d, want 5 (2 orders, 3 authorizations)", n)
	}
	for _, o := range []*storage.ACMEOrder{pending, invalid} {
		wantNoOrder(t, s, o.ID)
	}
	for _, a := range slices.Concat(pendingAuthzs, invalidAuthzs) {
		wantNoAuthz(t, s, a.ID)
	}
	checkOrder(t, getOrder(t, s, valid.ID), fv)
	for _, o := range []*storage.ACMEOrder{atCut, fresh} {
		checkOrder(t, getOrder(t, s, o.ID), o)
	}
	for _, a := range slices.Concat(validAuthzs, atCutAuthzs, freshAuthzs) {
		checkAuthz(t, getAuthz(t, s, a.ID), a)
	}
	rows, _, err := s.ListACMEOrders(bg, acct.ID, "", 0)
	wantErr(t, "ListACMEOrders", err, nil)
	if got, want := orderIDs(rows), []string{valid.ID, atCut.ID, fresh.ID}; !sameSet(got, want) {
		t.Errorf("ListACMEOrders after purge = %q, want %q", got, want)
	}
	wantDue := []string{validAuthzs[0].ID, atCutAuthzs[0].ID, freshAuthzs[0].ID}
	if got := due(t, s, sec, 100); !sameSet(got, wantDue) {
		t.Errorf("due after purge = %q, want %q", got, wantDue)
	}
	if n, err := s.PurgeACME(bg, sec); err != nil || n != 0 {
		t.Errorf("second PurgeACME = %d, %v; want 0", n, err)
	}
}

// sameSet reports whether a and b hold the same strings in any order.
func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func purgeEmpty(t *testing.T, s ACMEStore) {
	if n, err := s.PurgeACME(bg, sec); err != nil || n != 0 {
		t.Fatalf("PurgeACME on an empty store = %d, %v; want 0", n, err)
	}
}

// purgeBacklog: a backlog larger than a backend's purge transaction is
// likely to be (many orders, some with many authorizations) is purged
// whole and counted exactly.
func purgeBacklog(t *testing.T, s ACMEStore) {
	const orders, large, largeAuthzs = 300, 50, 20
	acct := newAccount(t, "acme")
	mustCreateAccount(t, s, acct)
	errs := race(acmeWorkers, func(w int) error {
		for i := w; i < orders+large; i += acmeWorkers {
			o, authzs := newOrder(t, acct)
			o.ExpiresAt = sec.Add(-time.Hour)
			for i >= orders && len(authzs) < largeAuthzs {
				id := storage.ACMEIdentifier{Type: "dns", Value: fmt.Sprintf("h%d.example.com", len(authzs))}
				authzs = append(authzs, newAuthz(t, acct, id, false))
				o.Identifiers, o.AuthzIDs = append(o.Identifiers, id), append(o.AuthzIDs, authzs[len(authzs)-1].ID)
			}
			if err := s.CreateACMEOrder(bg, o, authzs); err != nil {
				return err
			}
		}
		return nil
	})
	for _, err := range errs {
		wantErr(t, "CreateACMEOrder", err, nil)
	}
	n, err := s.PurgeACME(bg, sec)
	wantErr(t, "PurgeACME", err, nil)
	if want := orders*3 + large*(1+largeAuthzs); n != want {
		t.Errorf("PurgeACME = %d, want %d", n, want)
	}
	if rows, _, err := s.ListACMEOrders(bg, acct.ID, "", 0); err != nil || len(rows) != 0 {
		t.Errorf("ListACMEOrders after purge = %d rows, %v; want none", len(rows), err)
	}
}
