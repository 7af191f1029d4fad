package storagetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/stride-pki/stride/internal/storage"
)

// runList checks ListCertificates: order, paging, the filters' semantics.
func runList(t *testing.T, o opener) {
	o.subtests(t, []namedCase{
		{"EmptyStore", listEmpty},
		{"AllInSerialByteOrderWithRevocations", listAll},
		{"PagesCoverEverythingOnce", listPages},
		{"CursorNeedNotBeStored", listCursorAnywhere},
		{"Filters", listFilters},
		{"PagedFilter", listPagedFilter},
		{"CancelledContext", listCancelled},
	})
}

// inventory is the data set of the list tests: serials of several lengths
// (byte order is not numeric order), subjects and SANs differing in case,
// LIKE wildcards kept literal, two provisioners, spread-out times.
type inventory struct {
	certs   []storage.Certificate // in insertion order
	revoked map[string]storage.Revocation
}

func invCert(serial, subject, prov string, notAfter, issued time.Duration, sans ...string) storage.Certificate {
	return storage.Certificate{
		Serial: serial, DER: []byte("der-" + serial), Subject: subject, SANs: sans,
		NotBefore: base.Add(-time.Hour), NotAfter: base.Add(notAfter),
		Provisioner: storage.ProvisionerRef{ID: prov + "/id", Name: prov, Type: "JWK"},
		IssuedAt:    base.Add(issued),
	}
}

const day = 24 * time.Hour

func seedInventory(t *testing.T, s storage.Store) inventory {
	t.Helper()
	inv := inventory{
		certs: []storage.Certificate{
			invCert("300", "Web.Example.COM", "admin", 10*day, 0, "web.example.com", "192.0.2.1"),
			invCert("2", "db.internal", "admin", 40*day, time.Hour, "DB.Internal", "db2.internal"),
			invCert("10", "mail", "acme", -day, 2*time.Hour, "mail@example.com"),
			invCert("1000", "under_score", "acme", 5*day, 3*time.Hour, "x_y.example.net", "100%.example.net"),
			invCert("25", "plain", "admin", 100*day, 4*time.Hour),
		},
		revoked: map[string]storage.Revocation{},
	}
	inv.certs[1].RenewedFrom = "300"
	for _, c := range inv.certs {
		mustRecord(t, s, c, nil)
	}
	for _, serial := range []string{"2", "1000", "999999"} { // 999999 is not a stored certificate
		rev := newRevocation(serial)
		wantErr(t, "Revoke", s.Revoke(context.Background(), rev, nil), nil)
		inv.revoked[serial] = rev
	}
	return inv
}

// sorted returns the serials of the certificates passing keep, in byte order.
func (inv inventory) sorted(keep func(c storage.Certificate) bool) []string {
	var out []string
	for _, c := range inv.certs {
		if keep == nil || keep(c) {
			out = append(out, c.Serial)
		}
	}
	sort.Strings(out)
	return out
}

func list(t *testing.T, s storage.Store, f storage.CertificateFilter, cursor string, limit int) ([]storage.CertificateRow, string) {
	t.Helper()
	rows, next, err := s.ListCertificates(context.Background(), f, cursor, limit)
	wantErr(t, "ListCertificates", err, nil)
	return rows, next
}

func serialsOf(rows []storage.CertificateRow) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.Serial
	}
	return out
}

func wantSerials(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s: serials = %q, want %q", what, got, want)
	}
}

func listEmpty(t *testing.T, s storage.Store) {
	rows, next := list(t, s, storage.CertificateFilter{}, "", 0)
	if len(rows) != 0 || next != "" {
		t.Fatalf("empty store listed %d rows, next %q", len(rows), next)
	}
}

func listAll(t *testing.T, s storage.Store) {
	inv := seedInventory(t, s)
	rows, next := list(t, s, storage.CertificateFilter{}, "", 0)
	wantSerials(t, "all", serialsOf(rows), inv.sorted(nil))
	if next != "" {
		t.Errorf("next = %q after the whole listing, want \"\"", next)
	}
	for _, r := range rows {
		want := inv.certs[slices.IndexFunc(inv.certs, func(c storage.Certificate) bool { return c.Serial == r.Serial })]
		checkCertificate(t, &r.Certificate, want)
		rev, revoked := inv.revoked[r.Serial]
		switch {
		case revoked && r.Revocation == nil:
			t.Errorf("%s: Revocation is nil, want it", r.Serial)
		case revoked:
			checkRevocation(t, r.Revocation, rev)
		case r.Revocation != nil:
			t.Errorf("%s: Revocation = %+v, want nil", r.Serial, r.Revocation)
		}
	}
}

// listPages: every limit pages through the same rows, each once, and next
// is "" exactly on the last page (also when it is full).
func listPages(t *testing.T, s storage.Store) {
	inv := seedInventory(t, s)
	all := inv.sorted(nil)
	for limit := 1; limit <= len(all)+1; limit++ {
		var got []string
		cursor, pages := "", 0
		for {
			rows, next := list(t, s, storage.CertificateFilter{}, cursor, limit)
			pages++
			if len(rows) > limit {
				t.Fatalf("limit %d: page of %d rows", limit, len(rows))
			}
			got = append(got, serialsOf(rows)...)
			if next == "" {
				break
			}
			if next != rows[len(rows)-1].Serial {
				t.Fatalf("limit %d: next = %q, want the last row's serial %q", limit, next, rows[len(rows)-1].Serial)
			}
			if pages > len(all)+1 {
				t.Fatalf("limit %d: paging does not end", limit)
			}
			cursor = next
		}
		wantSerials(t, fmt.Sprintf("limit %d", limit), got, all)
		if want := (len(all) + limit - 1) / limit; pages != want {
			t.Errorf("limit %d: %d pages, want %d", limit, pages, want)
		}
	}
}

func listCursorAnywhere(t *testing.T, s storage.Store) {
	inv := seedInventory(t, s)
	rows, _ := list(t, s, storage.CertificateFilter{}, "20", 0) // between "2" and "25"
	wantSerials(t, "after 20", serialsOf(rows), inv.sorted(func(c storage.Certificate) bool { return c.Serial > "20" }))
	rows, next := list(t, s, storage.CertificateFilter{}, "9", 0)
	if len(rows) != 0 || next != "" {
		t.Errorf("after the last serial: %q, next %q; want nothing", serialsOf(rows), next)
	}
}

func listFilters(t *testing.T, s storage.Store) {
	inv := seedInventory(t, s)
	revoked := func(c storage.Certificate) bool { _, ok := inv.revoked[c.Serial]; return ok }
	cases := []struct {
		name string
		f    storage.CertificateFilter
		want []string
	}{
		{"Provisioner", storage.CertificateFilter{Provisioner: "acme"}, []string{"10", "1000"}},
		{"ProvisionerIsExact", storage.CertificateFilter{Provisioner: "ACME"}, nil},
		{"SubjectSubstringAnyCase", storage.CertificateFilter{Subject: "example.com"}, []string{"300"}},
		{"SANSubstringAnyCase", storage.CertificateFilter{SAN: "db.INTERNAL"}, []string{"2"}},
		{"SANAnyOfThem", storage.CertificateFilter{SAN: "internal"}, []string{"2"}},
		{"SANIPAndEmail", storage.CertificateFilter{SAN: "@example"}, []string{"10"}},
		{"UnderscoreIsLiteral", storage.CertificateFilter{SAN: "x_y"}, []string{"1000"}},
		{"UnderscoreMatchesOnlyItself", storage.CertificateFilter{Subject: "_"}, []string{"1000"}},
		{"PercentIsLiteral", storage.CertificateFilter{SAN: "%"}, []string{"1000"}},
		{"BackslashIsLiteral", storage.CertificateFilter{SAN: `\`}, nil},
		{"OnlyRevoked", storage.CertificateFilter{Revoked: storage.OnlyRevoked}, inv.sorted(revoked)},
		{"NotRevoked", storage.CertificateFilter{Revoked: storage.NotRevoked},
			inv.sorted(func(c storage.Certificate) bool { return !revoked(c) })},
		{"ExpiringWithin30Days", storage.CertificateFilter{NotAfterFrom: base, NotAfterBefore: base.Add(30 * day)},
			[]string{"1000", "300"}},
		{"NotAfterBeforeIsExclusive", storage.CertificateFilter{NotAfterBefore: base.Add(10 * day)},
			[]string{"10", "1000"}},
		{"NotAfterFromIsInclusive", storage.CertificateFilter{NotAfterFrom: base.Add(40 * day)}, []string{"2", "25"}},
		{"IssuedAfterIsExclusive", storage.CertificateFilter{IssuedAfter: base.Add(2 * time.Hour)}, []string{"1000", "25"}},
		{"Combined", storage.CertificateFilter{Provisioner: "admin", Revoked: storage.NotRevoked, SAN: "example"},
			[]string{"300"}},
		{"NothingMatches", storage.CertificateFilter{Subject: "nope"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rows, next := list(t, s, c.f, "", 0)
			wantSerials(t, c.name, serialsOf(rows), c.want)
			if next != "" {
				t.Errorf("next = %q, want \"\"", next)
			}
			for _, r := range rows {
				if (r.Revocation != nil) != revoked(r.Certificate) {
					t.Errorf("%s: Revocation = %v, revoked %v", r.Serial, r.Revocation, revoked(r.Certificate))
				}
			}
		})
	}
}

// listPagedFilter: next counts matching rows only, so a filtered last page
// is not followed by an empty one.
func listPagedFilter(t *testing.T, s storage.Store) {
	seedInventory(t, s)
	f := storage.CertificateFilter{Provisioner: "admin"} // 2, 25, 300
	rows, next := list(t, s, f, "", 2)
	wantSerials(t, "page 1", serialsOf(rows), []string{"2", "25"})
	if next != "25" {
		t.Fatalf("next = %q, want \"25\"", next)
	}
	rows, next = list(t, s, f, next, 2)
	wantSerials(t, "page 2", serialsOf(rows), []string{"300"})
	if next != "" {
		t.Errorf("next = %q on the last page, want \"\"", next)
	}
	rows, next = list(t, s, storage.CertificateFilter{Provisioner: "acme"}, "", 2) // 10, 1000 and no more
	wantSerials(t, "acme", serialsOf(rows), []string{"10", "1000"})
	if next != "" {
		t.Errorf("next = %q after the last match, want \"\"", next)
	}
}

func listCancelled(t *testing.T, s storage.Store) {
	seedInventory(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := s.ListCertificates(ctx, storage.CertificateFilter{}, "", 0); !errors.Is(err, context.Canceled) {
		t.Fatalf("ListCertificates(cancelled) = %v, want context.Canceled", err)
	}
}
