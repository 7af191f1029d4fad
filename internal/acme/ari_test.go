package acme

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/stride-pki/stride/internal/storage"
)

func TestARICertIDRFCExample(t *testing.T) {
	// RFC 9773 §4.1: AKI 69:88:5B:…:C8:D4, serial 00:87:65:43:21.
	aki, _ := hex.DecodeString("69885B6B87464041E1B37B847BA0AE2CDE01C8D4")
	cert := &x509.Certificate{AuthorityKeyId: aki, SerialNumber: big.NewInt(0x87654321)}
	id, err := NewARICertID(cert)
	if err != nil {
		t.Fatal(err)
	}
	const want = "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE"
	if got := id.String(); got != want {
		t.Fatalf("String = %s, want %s", got, want)
	}
	back, err := ParseARICertID(want)
	if err != nil || back.Serial.Cmp(cert.SerialNumber) != 0 || hex.EncodeToString(back.KeyID) != hex.EncodeToString(aki) {
		t.Fatalf("ParseARICertID = %+v, %v", back, err)
	}
	if _, err := NewARICertID(&x509.Certificate{SerialNumber: big.NewInt(1)}); err == nil {
		t.Error("a certificate without AKI must have no identifier")
	}
}

func TestParseARICertID(t *testing.T) {
	cases := []struct {
		in     string
		serial int64 // 0: must fail
	}{
		{"aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE", 0x87654321},
		{"aYhba4dGQEHhs3uEe6CuLN4ByNQ=.AIdlQyE=", 0x87654321}, // padding tolerated
		{"aYhba4dGQEHhs3uEe6CuLN4ByNQ.AQ", 1},
		{"aYhba4dGQEHhs3uEe6CuLN4ByNQ.fw", 0x7f},
		{"aYhba4dGQEHhs3uEe6CuLN4ByNQ", 0},           // no dot
		{".AQ", 0},                                   // no key identifier
		{"aYhba4dGQEHhs3uEe6CuLN4ByNQ.", 0},          // no serial
		{"aYhba4dGQEHhs3uEe6CuLN4ByNQ.gA", 0},        // 0x80: negative
		{"aYhba4dGQEHhs3uEe6CuLN4ByNQ.AAE", 0},       // 00 01: not minimal
		{"aYhba4dGQEHhs3uEe6CuLN4ByNQ.AA", 0},        // zero
		{"aYhba4dGQEHhs3uEe6CuLN4ByNQ.A+E", 0},       // not base64url
		{"aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE.x", 0}, // trailing part
	}
	for _, c := range cases {
		id, err := ParseARICertID(c.in)
		if c.serial == 0 {
			if problemType(err) != probMalformed {
				t.Errorf("ParseARICertID(%q) = %+v, %v; want malformed", c.in, id, err)
			}
			continue
		}
		if err != nil || id.Serial.Int64() != c.serial {
			t.Errorf("ParseARICertID(%q) = %+v, %v; want serial %#x", c.in, id, err, c.serial)
		}
	}
}

func TestSuggestRenewal(t *testing.T) {
	nb := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := time.Date(2026, 1, 10, 12, 30, 0, 0, time.UTC)
	cases := []struct {
		name       string
		life       time.Duration
		revoked    bool
		start, end time.Time
		retry      time.Duration
	}{
		{"90Days", 90 * 24 * time.Hour, false, nb.Add(54 * 24 * time.Hour), nb.Add(66 * 24 * time.Hour), 6 * time.Hour},
		{"24Hours", 24 * time.Hour, false, nb.Add(864 * time.Minute), nb.Add(1056 * time.Minute), 144 * time.Minute},
		{"FiveMinutes", 5 * time.Minute, false, nb.Add(3 * time.Minute), nb.Add(220 * time.Second), time.Minute},
		{"OneSecond", time.Second, false, nb, nb.Add(time.Second), time.Minute},
		{"Revoked", 90 * 24 * time.Hour, true, now.Add(-time.Hour), now, 6 * time.Hour},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var rev time.Time
			if c.revoked {
				rev = now.Add(-24 * time.Hour)
			}
			w := SuggestRenewal(nb, nb.Add(c.life), rev, now)
			if !w.Start.Equal(c.start) || !w.End.Equal(c.end) || !w.End.After(w.Start) {
				t.Errorf("window = %v .. %v, want %v .. %v", w.Start, w.End, c.start, c.end)
			}
			if !c.revoked && c.life > time.Minute && !w.End.Before(nb.Add(c.life)) {
				t.Errorf("window ends %v, not before expiry", w.End)
			}
			if got := RenewalRetryAfter(nb, nb.Add(c.life)); got != c.retry {
				t.Errorf("RenewalRetryAfter = %v, want %v", got, c.retry)
			}
		})
	}
	b, _ := json.Marshal(RenewalInfo{SuggestedWindow: SuggestRenewal(nb, nb.Add(90*24*time.Hour), time.Time{}, now)})
	if want := `{"suggestedWindow":{"start":"2026-02-24T00:00:00Z","end":"2026-03-08T00:00:00Z"}}`; string(b) != want {
		t.Errorf("JSON = %s, want %s", b, want)
	}
}

// ariStore is an in-memory ARIStore and ReplacesStore.
type ariStore struct {
	certs  map[string]*storage.Certificate
	revs   map[string]*storage.Revocation
	orders []storage.ACMEOrder
	fail   error
}

func (s *ariStore) Certificate(_ context.Context, serial string) (*storage.Certificate, error) {
	if s.fail != nil {
		return nil, s.fail
	}
	if c, ok := s.certs[serial]; ok {
		return c, nil
	}
	return nil, storage.ErrNotFound
}

func (s *ariStore) Revocation(_ context.Context, serial string) (*storage.Revocation, error) {
	if r, ok := s.revs[serial]; ok {
		return r, nil
	}
	return nil, storage.ErrNotFound
}

func (s *ariStore) ACMEOrderByCertificate(_ context.Context, serial string) (*storage.ACMEOrder, error) {
	if s.fail != nil {
		return nil, s.fail
	}
	for i := range s.orders {
		if s.orders[i].CertificateSerial == serial {
			return &s.orders[i], nil
		}
	}
	return nil, storage.ErrNotFound
}

// ListACMEOrders pages one order at a time, to exercise the cursor.
func (s *ariStore) ListACMEOrders(_ context.Context, accountID, cursor string, _ int) ([]storage.ACMEOrder, string, error) {
	var mine []storage.ACMEOrder
	for _, o := range s.orders {
		if o.AccountID == accountID {
			mine = append(mine, o)
		}
	}
	i := 0
	for cursor != "" && i < len(mine) && mine[i].ID != cursor {
		i++
	}
	if cursor != "" {
		i++
	}
	if i >= len(mine) {
		return nil, "", nil
	}
	next := ""
	if i+1 < len(mine) {
		next = mine[i].ID
	}
	return mine[i : i+1], next, nil
}

// issue makes a certificate with an AKI, valid from nb for life.
func issue(t *testing.T, serial int64, nb time.Time, life time.Duration) (*x509.Certificate, []byte) {
	t.Helper()
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "a.example"},
		NotBefore: nb, NotAfter: nb.Add(life), AuthorityKeyId: []byte{1, 2, 3, 4}, DNSNames: []string{"a.example"}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, k.Public(), k)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return c, der
}

func TestLookupRenewalInfo(t *testing.T) {
	nb := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := nb.Add(time.Hour)
	cert, der := issue(t, 1000, nb, 24*time.Hour)
	revoked, rder := issue(t, 1001, nb, 24*time.Hour)
	store := &ariStore{
		certs: map[string]*storage.Certificate{
			"1000": {Serial: "1000", DER: der, NotBefore: nb, NotAfter: nb.Add(24 * time.Hour), Provisioner: storage.ProvisionerRef{Name: "acme"}},
			"1001": {Serial: "1001", DER: rder, NotBefore: nb, NotAfter: nb.Add(24 * time.Hour), Provisioner: storage.ProvisionerRef{Name: "acme"}},
		},
		revs: map[string]*storage.Revocation{"1001": {Serial: "1001", RevokedAt: nb.Add(30 * time.Minute)}},
	}
	idOf := func(c *x509.Certificate) string { id, _ := NewARICertID(c); return id.String() }
	otherAKI := ARICertID{KeyID: []byte{9}, Serial: big.NewInt(1000)}.String()
	cases := []struct {
		name, prov, id string
		want           string // "": found, "missing": 404, else a problem type
		revoked        bool
	}{
		{"Valid", "acme", idOf(cert), "", false},
		{"Revoked", "acme", idOf(revoked), "", true},
		{"OtherProvisioner", "acme2", idOf(cert), "missing", false},
		{"OtherAKI", "acme", otherAKI, "missing", false},
		{"Unknown", "acme", ARICertID{KeyID: []byte{1, 2, 3, 4}, Serial: big.NewInt(5)}.String(), "missing", false},
		{"Malformed", "acme", "nope", probMalformed, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			info, retry, err := LookupRenewalInfo(context.Background(), store, c.prov, c.id, now)
			var p *Problem
			switch {
			case c.want == "missing" && (!errors.As(err, &p) || !p.Missing):
				t.Fatalf("err = %v, want a not-found problem", err)
			case c.want != "missing" && problemType(err) != c.want:
				t.Fatalf("err = %v, want problem %q", err, c.want)
			case c.want != "":
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			w := info.SuggestedWindow
			if c.revoked != w.Start.Before(now) || retry != 144*time.Minute {
				t.Fatalf("window %v .. %v, retry %v (revoked %v)", w.Start, w.End, retry, c.revoked)
			}
		})
	}
	store.fail = errors.New("db down")
	if _, _, err := LookupRenewalInfo(context.Background(), store, "acme", idOf(cert), now); problemType(err) != probServerInternal {
		t.Fatalf("store failure: %v, want serverInternal", err)
	}
}

func TestCheckReplaces(t *testing.T) {
	cert, _ := issue(t, 77, time.Now(), time.Hour)
	id, _ := NewARICertID(cert)
	dns := func(v string) []storage.ACMEIdentifier { return []storage.ACMEIdentifier{{Type: "dns", Value: v}} }
	base := storage.ACMEOrder{ID: "o1", AccountID: "acct", Identifiers: dns("a.example"), Status: "valid", CertificateSerial: "77"}
	withOrder := func(o storage.ACMEOrder) []storage.ACMEOrder { return []storage.ACMEOrder{base, o} }
	cases := []struct {
		name    string
		orders  []storage.ACMEOrder
		account string
		ids     []storage.ACMEIdentifier
		replace string
		want    string
	}{
		{"OK", []storage.ACMEOrder{base}, "acct", dns("A.example"), id.String(), ""},
		{"PaddedIDIsCanonicalised", []storage.ACMEOrder{base}, "acct", dns("a.example"), id.String() + "=", ""},
		{"PendingReplacementDoesNotCount", withOrder(storage.ACMEOrder{ID: "o2", AccountID: "acct", Status: "pending", Replaces: id.String()}), "acct", dns("a.example"), id.String(), ""},
		{"InvalidReplacementDoesNotCount", withOrder(storage.ACMEOrder{ID: "o2", AccountID: "acct", Status: "invalid", Replaces: id.String()}), "acct", dns("a.example"), id.String(), ""},
		{"AlreadyReplaced", withOrder(storage.ACMEOrder{ID: "o2", AccountID: "acct", Status: "valid", Replaces: id.String()}), "acct", dns("a.example"), id.String(), probAlreadyReplaced},
		{"BeingReplaced", withOrder(storage.ACMEOrder{ID: "o2", AccountID: "acct", Status: "processing", Replaces: id.String()}), "acct", dns("a.example"), id.String(), probAlreadyReplaced},
		{"OtherAccount", []storage.ACMEOrder{base}, "acct2", dns("a.example"), id.String(), probMalformed},
		{"NoCommonIdentifier", []storage.ACMEOrder{base}, "acct", dns("b.example"), id.String(), probMalformed},
		{"NotACMEIssued", nil, "acct", dns("a.example"), id.String(), probMalformed},
		{"Malformed", []storage.ACMEOrder{base}, "acct", dns("a.example"), "xyz", probMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := CheckReplaces(context.Background(), &ariStore{orders: c.orders}, c.account, c.replace, c.ids)
			if problemType(err) != c.want {
				t.Fatalf("CheckReplaces = %q, %v; want problem %q", got, err, c.want)
			}
			if c.want == "" && got != id.String() {
				t.Fatalf("canonical id = %q, want %q", got, id.String())
			}
		})
	}
}
