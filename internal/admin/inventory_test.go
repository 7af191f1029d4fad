package admin

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stride-pki/stride/internal/caerr"
	"github.com/stride-pki/stride/internal/storage"
	"github.com/stride-pki/stride/internal/storage/bolt"
)

var now = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

func TestParseDuration(t *testing.T) {
	cases := []struct {
		in      string
		want    time.Duration
		wantErr bool
	}{
		{"30d", 30 * 24 * time.Hour, false},
		{"1d12h", 36 * time.Hour, false},
		{"12h", 12 * time.Hour, false},
		{" 90m ", 90 * time.Minute, false},
		{"0d", 0, true},
		{"-1h", 0, true},
		{"1d-1h", 0, true},
		{"xd", 0, true},
		{"-3d", 0, true},
		{"30", 0, true},
		{"", 0, true},
		{"d", 0, true},
	}
	for _, c := range cases {
		got, err := ParseDuration(c.in)
		if (err != nil) != c.wantErr || got != c.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v, error %v", c.in, got, err, c.want, c.wantErr)
		}
	}
}

func TestQueryFilter(t *testing.T) {
	yes, no := true, false
	cases := []struct {
		name string
		q    Query
		want storage.CertificateFilter
		bad  bool
	}{
		{"Empty", Query{}, storage.CertificateFilter{}, false},
		{"ExpiringWithin", Query{ExpiringWithin: "30d"},
			storage.CertificateFilter{NotAfterFrom: now, NotAfterBefore: now.Add(720 * time.Hour)}, false},
		{"Revoked", Query{Revoked: &yes}, storage.CertificateFilter{Revoked: storage.OnlyRevoked}, false},
		{"NotRevoked", Query{Revoked: &no}, storage.CertificateFilter{Revoked: storage.NotRevoked}, false},
		{"Strings", Query{Provisioner: "p", Subject: "s", SAN: "x"},
			storage.CertificateFilter{Provisioner: "p", Subject: "s", SAN: "x"}, false},
		{"IssuedAfterRFC3339", Query{IssuedAfter: "2026-04-01T10:00:00+02:00"},
			storage.CertificateFilter{IssuedAfter: time.Date(2026, 4, 1, 8, 0, 0, 0, time.UTC)}, false},
		{"IssuedAfterDate", Query{IssuedAfter: "2026-04-01"},
			storage.CertificateFilter{IssuedAfter: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)}, false},
		{"IssuedAfterDuration", Query{IssuedAfter: "7d"},
			storage.CertificateFilter{IssuedAfter: now.Add(-7 * 24 * time.Hour)}, false},
		{"BadIssuedAfter", Query{IssuedAfter: "yesterday"}, storage.CertificateFilter{}, true},
		{"BadExpiring", Query{ExpiringWithin: "soon"}, storage.CertificateFilter{}, true},
		{"NegativeLimit", Query{Limit: -1}, storage.CertificateFilter{}, true},
		{"LongSAN", Query{SAN: string(make([]byte, 2000))}, storage.CertificateFilter{}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.q.filter(now)
			if c.bad {
				var ce *caerr.Error
				if !errors.As(err, &ce) || ce.Kind != caerr.BadRequest {
					t.Fatalf("filter = %v; want a BadRequest", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !got.IssuedAfter.Equal(c.want.IssuedAfter) || !got.NotAfterFrom.Equal(c.want.NotAfterFrom) ||
				!got.NotAfterBefore.Equal(c.want.NotAfterBefore) {
				t.Fatalf("times = %+v, want %+v", got, c.want)
			}
			got.IssuedAfter, got.NotAfterFrom, got.NotAfterBefore = c.want.IssuedAfter, c.want.NotAfterFrom, c.want.NotAfterBefore
			if got != c.want {
				t.Fatalf("filter = %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestParseSerial(t *testing.T) {
	cases := map[string]string{"255": "255", "0xff": "255", "0xFF": "255", "0x01:00": "256", "007": "7"}
	for in, want := range cases {
		if got, err := ParseSerial(in); err != nil || got != want {
			t.Errorf("ParseSerial(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "abc", "-1", "0x", "1.5"} {
		if _, err := ParseSerial(in); err == nil {
			t.Errorf("ParseSerial(%q) succeeded", in)
		}
	}
}

// newInventory is an inventory over a bbolt store with three certificates:
// 1 valid, 2 revoked, 3 expired.
func newInventory(t *testing.T) *Inventory {
	t.Helper()
	s, err := bolt.Open(filepath.Join(t.TempDir(), "db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ctx := context.Background()
	for i, na := range []time.Duration{10 * 24 * time.Hour, 60 * 24 * time.Hour, -time.Hour} {
		c := storage.Certificate{Serial: string(rune('1' + i)), DER: []byte{1}, Subject: "host",
			NotBefore: now.Add(-time.Hour), NotAfter: now.Add(na), IssuedAt: now.Add(-time.Hour),
			Provisioner: storage.ProvisionerRef{Name: "admin", Type: "JWK"}}
		if err := s.RecordIssuance(ctx, c, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Revoke(ctx, storage.Revocation{Serial: "2", ReasonCode: 1, Reason: "key", RevokedAt: now}, nil); err != nil {
		t.Fatal(err)
	}
	return NewInventory(s, func() time.Time { return now })
}

func TestInventoryList(t *testing.T) {
	inv := newInventory(t)
	page, err := inv.List(context.Background(), Query{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range page.Certificates {
		got = append(got, c.Serial+":"+string(c.Status))
		if c.SANs == nil {
			t.Errorf("%s: SANs is nil, want []", c.Serial)
		}
		if (c.RevokedAt != nil) != (c.Status == StatusRevoked) {
			t.Errorf("%s: RevokedAt %v with status %s", c.Serial, c.RevokedAt, c.Status)
		}
	}
	if want := []string{"1:valid", "2:revoked", "3:expired"}; !slices.Equal(got, want) {
		t.Fatalf("List = %q, want %q", got, want)
	}
	page, err = inv.List(context.Background(), Query{ExpiringWithin: "30d"})
	if err != nil || len(page.Certificates) != 1 || page.Certificates[0].Serial != "1" {
		t.Fatalf("expiring within 30d = %+v, %v; want serial 1 only", page, err)
	}
	page, err = inv.List(context.Background(), Query{Limit: 2})
	if err != nil || len(page.Certificates) != 2 || page.Next != "2" {
		t.Fatalf("limit 2 = %+v, %v; want two rows and next 2", page, err)
	}
}

func TestInventoryShow(t *testing.T) {
	inv := newInventory(t)
	c, err := inv.Show(context.Background(), "0x2")
	if err != nil {
		t.Fatal(err)
	}
	if c.Serial != "2" || c.Status != StatusRevoked || c.RevocationReason != "key" || *c.ReasonCode != 1 {
		t.Fatalf("Show(0x2) = %+v", c)
	}
	_, err = inv.Show(context.Background(), "99")
	var ce *caerr.Error
	if !errors.As(err, &ce) || ce.Kind != caerr.NotFound {
		t.Fatalf("Show(99) = %v, want NotFound", err)
	}
}
