package postgres

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/stride-pki/stride/internal/storage"
)

// TestACMESmoke exercises every ACME method once; the conformance suite
// (storagetest.RunACME) holds the contract in detail.
func TestACMESmoke(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, newDatabaseName(t))
	defer s.Close()
	now := time.Now().UTC().Truncate(time.Microsecond)
	want := func(what string, got, want error) {
		t.Helper()
		if !errors.Is(got, want) {
			t.Fatalf("%s = %v, want %v", what, got, want)
		}
	}

	eab := &storage.ACMEEABKey{ID: "k1", Provisioner: "acme", Reference: "ref", HMACKey: []byte{1, 2}, CreatedAt: now}
	want("CreateACMEEABKey", s.CreateACMEEABKey(ctx, eab), nil)
	want("CreateACMEEABKey same ref", s.CreateACMEEABKey(ctx, &storage.ACMEEABKey{ID: "k2", Provisioner: "acme", Reference: "ref"}), storage.ErrConflict)
	want("CreateACMEEABKey no ref", s.CreateACMEEABKey(ctx, &storage.ACMEEABKey{ID: "k2", Provisioner: "acme"}), nil)
	want("CreateACMEEABKey no ref 2", s.CreateACMEEABKey(ctx, &storage.ACMEEABKey{ID: "k3", Provisioner: "acme"}), nil)

	acct := &storage.ACMEAccount{ID: "a1", Provisioner: "acme", KeyID: "thumb", Key: []byte(`{"kty":"EC"}`),
		Contact: []string{"mailto:a@example.com"}, Status: "valid", EABKeyID: "k1", CreatedAt: now}
	want("CreateACMEAccount", s.CreateACMEAccount(ctx, acct), nil)
	if acct.Version != 1 {
		t.Fatalf("Version = %d", acct.Version)
	}
	a2 := &storage.ACMEAccount{ID: "a2", Provisioner: "acme", KeyID: "thumb2", Key: []byte(`{}`), Status: "valid", EABKeyID: "k1"}
	want("CreateACMEAccount bound key", s.CreateACMEAccount(ctx, a2), storage.ErrEABKeyBound)
	a2.EABKeyID = "nope"
	want("CreateACMEAccount unknown key", s.CreateACMEAccount(ctx, a2), storage.ErrNotFound)
	a2.EABKeyID, a2.KeyID = "", "thumb"
	want("CreateACMEAccount same key", s.CreateACMEAccount(ctx, a2), storage.ErrConflict)
	got, err := s.ACMEAccountByKey(ctx, "acme", "thumb")
	want("ACMEAccountByKey", err, nil)
	if !reflect.DeepEqual(got, acct) {
		t.Fatalf("ACMEAccountByKey = %+v, want %+v", got, acct)
	}
	k, err := s.ACMEEABKey(ctx, "k1")
	want("ACMEEABKey", err, nil)
	if k.AccountID != "a1" || !k.BoundAt.Equal(now) {
		t.Fatalf("bound key = %+v", k)
	}

	stale := *acct
	acct.Status = "deactivated"
	want("UpdateACMEAccount", s.UpdateACMEAccount(ctx, acct), nil)
	want("UpdateACMEAccount stale", s.UpdateACMEAccount(ctx, &stale), storage.ErrStale)
	want("UpdateACMEAccount absent", s.UpdateACMEAccount(ctx, &storage.ACMEAccount{ID: "zz", Version: 1}), storage.ErrNotFound)

	order := &storage.ACMEOrder{ID: "o1", AccountID: "a1", Provisioner: "acme", Status: "pending",
		Identifiers: []storage.ACMEIdentifier{{Type: "dns", Value: "example.com"}}, AuthzIDs: []string{"z1"},
		CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	authz := &storage.ACMEAuthz{ID: "z1", AccountID: "a1", Provisioner: "acme", Status: "pending",
		Identifier: storage.ACMEIdentifier{Type: "dns", Value: "example.com"}, Token: "tok",
		Challenges: []storage.ACMEChallenge{{ID: "c1", Type: "http-01", Status: "pending"},
			{ID: "c2", Type: "dns-01", Status: "invalid", ValidatedAt: now, Error: []byte(`{"type":"x"}`)}},
		CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	want("CreateACMEOrder", s.CreateACMEOrder(ctx, order, []*storage.ACMEAuthz{authz}), nil)
	want("CreateACMEOrder again", s.CreateACMEOrder(ctx, &storage.ACMEOrder{ID: "o2"}, []*storage.ACMEAuthz{{ID: "z1"}}), storage.ErrConflict)
	if _, err := s.ACMEOrder(ctx, "o2"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("half-written order o2: %v", err)
	}
	gotAz, err := s.ACMEAuthz(ctx, "z1")
	want("ACMEAuthz", err, nil)
	if !reflect.DeepEqual(gotAz, authz) {
		t.Fatalf("ACMEAuthz = %+v, want %+v", gotAz, authz)
	}
	authz.ValidateAt = now
	want("UpdateACMEAuthz", s.UpdateACMEAuthz(ctx, authz), nil)
	due, err := s.DueACMEValidations(ctx, now, 10)
	if err != nil || len(due) != 1 || due[0].ID != "z1" || due[0].Version != 2 {
		t.Fatalf("DueACMEValidations = %+v, %v", due, err)
	}

	// Empty documents and keys come back empty, absent ones nil.
	empty := &storage.ACMEOrder{ID: "o-empty", AccountID: "a2", Error: []byte{}, AuthzIDs: []string{}}
	want("CreateACMEOrder empty", s.CreateACMEOrder(ctx, empty, nil), nil)
	gotEmpty, err := s.ACMEOrder(ctx, "o-empty")
	if err != nil || gotEmpty.Error == nil || len(gotEmpty.Error) != 0 {
		t.Fatalf("order with an empty problem = %+v, %v", gotEmpty, err)
	}
	if gotK2, err := s.ACMEEABKey(ctx, "k2"); err != nil || gotK2.Policy != nil || gotK2.BoundAt != (time.Time{}) {
		t.Fatalf("unbound key without policy = %+v, %v", gotK2, err)
	}
	for _, id := range []string{"o3", "o4"} {
		want("CreateACMEOrder "+id, s.CreateACMEOrder(ctx, &storage.ACMEOrder{ID: id, AccountID: "a1", Status: "pending", ExpiresAt: now}, nil), nil)
	}
	rows, next, err := s.ListACMEOrders(ctx, "a1", "", 2)
	if err != nil || len(rows) != 2 || rows[0].ID != "o1" || next != "o3" {
		t.Fatalf("ListACMEOrders = %+v, %q, %v", rows, next, err)
	}
	rows, next, err = s.ListACMEOrders(ctx, "a1", next, 2)
	if err != nil || len(rows) != 1 || rows[0].ID != "o4" || next != "" {
		t.Fatalf("ListACMEOrders page 2 = %+v, %q, %v", rows, next, err)
	}

	cert := storage.Certificate{Serial: "123", DER: []byte{1}, NotBefore: now, NotAfter: now, IssuedAt: now}
	staleOrder := *order
	order.Status, order.CertificateSerial = "valid", "123"
	want("FinalizeACMEOrder", s.FinalizeACMEOrder(ctx, order, cert), nil)
	staleOrder.CertificateSerial = "124"
	want("FinalizeACMEOrder stale", s.FinalizeACMEOrder(ctx, &staleOrder, storage.Certificate{Serial: "124", DER: []byte{1}}), storage.ErrStale)
	if _, err := s.Certificate(ctx, "124"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("stale finalize stored its certificate: %v", err)
	}
	byCert, err := s.ACMEOrderByCertificate(ctx, "123")
	if err != nil || !reflect.DeepEqual(byCert, order) {
		t.Fatalf("ACMEOrderByCertificate = %+v, %v; want %+v", byCert, err, order)
	}

	n, err := s.PurgeACME(ctx, now.Add(time.Minute))
	if err != nil || n != 2 {
		t.Fatalf("PurgeACME = %d, %v; want 2 (o3, o4)", n, err)
	}
	keys, err := s.ListACMEEABKeys(ctx, "acme")
	if err != nil || len(keys) != 3 || keys[0].ID != "k1" {
		t.Fatalf("ListACMEEABKeys = %+v, %v", keys, err)
	}
	want("DeleteACMEEABKey", s.DeleteACMEEABKey(ctx, "k1"), nil)
	want("DeleteACMEEABKey again", s.DeleteACMEEABKey(ctx, "k1"), storage.ErrNotFound)
}
