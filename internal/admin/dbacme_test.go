package admin

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stride-pki/stride/internal/storage"
)

// acmeSeed is the ACME state seedACME stores, as stored (Versions aside).
type acmeSeed struct {
	keys   []*storage.ACMEEABKey
	accts  []*storage.ACMEAccount
	orders []*storage.ACMEOrder
	authzs []*storage.ACMEAuthz
}

// seedACME stores, beside seedDB's records: an EAB key bound to an
// account, an unbound one, an account whose key was deleted after binding,
// a deactivated account without EAB, a pending order (two authorizations,
// one queued for validation) and a valid order of certificate 1001.
func seedACME(t *testing.T, s storage.Store) *acmeSeed {
	t.Helper()
	ctx := context.Background()
	sd := &acmeSeed{}
	for i, ref := range []string{"ops", "", "gone"} {
		k := &storage.ACMEEABKey{ID: "kid-" + string(rune('a'+i)), Provisioner: "acme-eab", Reference: ref,
			HMACKey: []byte{1, 2, byte(i)}, CreatedAt: now.Add(time.Duration(i) * time.Second)}
		if i == 0 {
			k.Policy = []byte(`{"x509":{"allow":{"dns":["*.example.com"]}}}`)
		}
		must(t, s.CreateACMEEABKey(ctx, k))
		sd.keys = append(sd.keys, k)
	}
	for i, prov := range []string{"acme-eab", "acme-eab", "acme"} {
		a := &storage.ACMEAccount{ID: "acct-" + string(rune('a'+i)), Provisioner: prov, KeyID: "thumb-" + string(rune('a'+i)),
			Key:     []byte(`{"kty":"EC","crv":"P-256","x":"x` + string(rune('a'+i)) + `","y":"y"}`),
			Contact: []string{"mailto:b@example.com", "mailto:a@example.com"}, Status: "valid",
			CreatedAt: now.Add(time.Duration(i) * time.Minute)}
		switch i {
		case 0:
			a.EABKeyID = sd.keys[0].ID
		case 1:
			a.EABKeyID = sd.keys[2].ID
		case 2:
			a.Status, a.Contact = "deactivated", nil
		}
		must(t, s.CreateACMEAccount(ctx, a))
		sd.accts = append(sd.accts, a)
	}
	// Binding set AccountID and BoundAt (the account's creation time).
	sd.keys[0].AccountID, sd.keys[0].BoundAt = sd.accts[0].ID, sd.accts[0].CreatedAt
	must(t, s.DeleteACMEEABKey(ctx, sd.keys[2].ID))
	sd.keys = sd.keys[:2]
	seedACMEOrders(t, s, sd)
	return sd
}

func seedACMEOrders(t *testing.T, s storage.Store, sd *acmeSeed) {
	t.Helper()
	acct := sd.accts[0]
	for i, status := range []string{"pending", "valid"} {
		o := &storage.ACMEOrder{ID: "order-" + status, AccountID: acct.ID, Provisioner: acct.Provisioner,
			Status: status, CreatedAt: now, ExpiresAt: now.Add(24 * time.Hour)}
		var azs []*storage.ACMEAuthz
		for j, name := range []string{"www.example.com", "example.com"} {
			az := &storage.ACMEAuthz{ID: o.ID + "-authz-" + name, AccountID: acct.ID, Provisioner: acct.Provisioner,
				Identifier: storage.ACMEIdentifier{Type: "dns", Value: name}, Wildcard: j == 1, Status: "valid",
				Token: "tok" + name, CreatedAt: now, ExpiresAt: now.Add(time.Hour),
				Challenges: []storage.ACMEChallenge{
					{ID: "ch-http-" + o.ID + name, Type: "http-01", Status: "valid", ValidatedAt: now.Add(time.Second)},
					{ID: "ch-dns-" + o.ID + name, Type: "dns-01", Status: "pending"},
				}}
			if i == 0 && j == 0 {
				az.Status, az.ValidateAt, az.Attempts = "pending", now.Add(time.Minute), 2
				az.Challenges[0].Status, az.Challenges[0].ValidatedAt = "invalid", time.Time{}
				az.Challenges[0].Error = []byte(`{"type":"urn:ietf:params:acme:error:connection"}`)
			}
			o.Identifiers = append(o.Identifiers, az.Identifier)
			o.AuthzIDs = append(o.AuthzIDs, az.ID)
			azs = append(azs, az)
		}
		if status == "valid" {
			o.CertificateSerial, o.Profile, o.Replaces = "1001", "tlsserver", "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE"
			o.NotBefore, o.NotAfter = now, now.Add(24*time.Hour)
		} else {
			o.Error = []byte(`{"type":"urn:ietf:params:acme:error:malformed"}`)
		}
		must(t, s.CreateACMEOrder(context.Background(), o, azs))
		sd.orders, sd.authzs = append(sd.orders, o), append(sd.authzs, azs...)
	}
}

// sameRecord fails unless got is want, every field but Version.
func sameRecord(t *testing.T, what string, got, want any) {
	t.Helper()
	g, w := reflect.ValueOf(got).Elem(), reflect.ValueOf(want).Elem()
	gc, wc := reflect.New(g.Type()).Elem(), reflect.New(w.Type()).Elem()
	gc.Set(g)
	wc.Set(w)
	if f := gc.FieldByName("Version"); f.IsValid() {
		f.SetInt(0)
		wc.FieldByName("Version").SetInt(0)
	}
	if !reflect.DeepEqual(gc.Interface(), wc.Interface()) {
		t.Errorf("%s =\n  %+v\nwant\n  %+v", what, gc.Interface(), wc.Interface())
	}
}

// checkACME fails unless s holds sd's ACME state, field by field, and
// finds it through every index (key, certificate, validation queue).
func checkACME(t *testing.T, s storage.Store, sd *acmeSeed) {
	t.Helper()
	ctx := context.Background()
	keys, err := s.ListACMEEABKeys(ctx, "")
	must(t, err)
	if len(keys) != len(sd.keys) {
		t.Fatalf("EAB keys: %d, want %d", len(keys), len(sd.keys))
	}
	for i := range keys {
		sameRecord(t, "EAB key", &keys[i], sd.keys[i])
	}
	for _, a := range sd.accts {
		got, err := s.ACMEAccountByKey(ctx, a.Provisioner, a.KeyID)
		must(t, err)
		sameRecord(t, "account", got, a)
	}
	for _, o := range sd.orders {
		got, err := s.ACMEOrder(ctx, o.ID)
		must(t, err)
		sameRecord(t, "order", got, o)
	}
	for _, az := range sd.authzs {
		got, err := s.ACMEAuthz(ctx, az.ID)
		must(t, err)
		sameRecord(t, "authz", got, az)
	}
	if o, err := s.ACMEOrderByCertificate(ctx, "1001"); err != nil || o.ID != "order-valid" {
		t.Errorf("ACMEOrderByCertificate(1001) = %v, %v; want order-valid", o, err)
	}
	due, err := s.DueACMEValidations(ctx, now.Add(time.Hour), 10)
	if err != nil || len(due) != 1 || due[0].ID != sd.authzs[0].ID {
		t.Errorf("DueACMEValidations = %v, %v; want %s", due, err, sd.authzs[0].ID)
	}
}

// TestExportImportACME: every ACME record survives export → import into a
// fresh store of another backend, field by field; a re-import finds them
// all present.
func TestExportImportACME(t *testing.T) {
	src := seedDB(t)
	sd := seedACME(t, src)
	var buf strings.Builder
	c, err := Export(context.Background(), src, &buf)
	must(t, err)
	want := RecordCounts{Certificates: 3, Revocations: 2, Tokens: 5, ACMEEABKeys: 2, ACMEAccounts: 3, ACMEOrders: 2, ACMEAuthzs: 4}
	if c != want {
		t.Fatalf("Export counts = %v, want %v", c, want)
	}
	out := buf.String()
	dst := newBadger(t)
	res, err := Import(context.Background(), dst, strings.NewReader(out), nil)
	must(t, err)
	if res.Written != want || res.Read != want {
		t.Fatalf("Import = %+v, want %v written", res, want)
	}
	checkACME(t, dst, sd)
	var again strings.Builder
	_, err = Export(context.Background(), dst, &again)
	must(t, err)
	if again.String() != out {
		t.Fatalf("re-export differs:\n%s\nwant\n%s", again.String(), out)
	}
	res, err = Import(context.Background(), dst, strings.NewReader(out), nil)
	must(t, err)
	if res.Written.Total() != 0 || res.Existing != want {
		t.Fatalf("re-import = %+v, want everything existing", res)
	}
	// The imported binding still holds: no other account takes the key.
	other := &storage.ACMEAccount{ID: "intruder", Provisioner: "acme-eab", KeyID: "t", Key: []byte("{}"),
		EABKeyID: sd.keys[0].ID, CreatedAt: now}
	if err := dst.CreateACMEAccount(context.Background(), other); !errors.Is(err, storage.ErrEABKeyBound) {
		t.Fatalf("binding an imported bound key again: %v, want ErrEABKeyBound", err)
	}
}

func TestMigrateACME(t *testing.T) {
	src := seedDB(t)
	sd := seedACME(t, src)
	dst := newBadger(t)
	res, err := Migrate(context.Background(), NewDatabase(src), NewDatabase(dst), nil)
	must(t, err)
	if res.Written.ACMEAccounts != 3 || res.Written.ACMEOrders != 2 || res.Written.ACMEAuthzs != 4 || res.Written.ACMEEABKeys != 2 {
		t.Fatalf("Migrate = %+v", res)
	}
	checkACME(t, dst, sd)
	res, err = Migrate(context.Background(), NewDatabase(src), NewDatabase(dst), nil)
	must(t, err)
	if res.Written.Total() != 0 || res.Existing != res.Read {
		t.Fatalf("second Migrate = %+v, want all existing", res)
	}
}

// TestImportCorruptACMELine: a bad ACME line stops the import before
// anything, of any kind, is written.
func TestImportCorruptACMELine(t *testing.T) {
	src := seedDB(t)
	seedACME(t, src)
	var buf strings.Builder
	_, err := Export(context.Background(), src, &buf)
	must(t, err)
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	last := len(lines) - 1 // the last order: every other record precedes it
	if !strings.HasPrefix(lines[last], `{"kind":"acmeOrder"`) {
		t.Fatalf("last line is not an order: %s", lines[last])
	}
	corrupt := map[string]string{
		"bad serial":       strings.Replace(lines[last], `"certificateSerial":"1001"`, `"certificateSerial":"x1"`, 1),
		"authz field":      strings.Replace(lines[last], `"wildcard":true`, `"wildcard":true,"extra":1`, 1),
		"repeated authz":   strings.Replace(lines[last], "order-valid-authz-example.com", "order-valid-authz-www.example.com", 2),
		"account no key":   `{"kind":"acmeAccount","id":"x","provisioner":"p","keyId":"k","status":"valid"}`,
		"half-bound key":   `{"kind":"acmeEABKey","id":"x","provisioner":"p","hmacKey":"AQ==","accountId":"a"}`,
		"order without id": `{"kind":"acmeOrder","id":"","accountId":"a","provisioner":"p","identifiers":[],"status":"pending","authorizations":[]}`,
	}
	for name, bad := range corrupt {
		t.Run(name, func(t *testing.T) {
			if bad == lines[last] {
				t.Fatal("the corruption changed nothing")
			}
			in := append(append([]string{}, lines[:last]...), bad)
			dst := newBadger(t)
			_, err := Import(context.Background(), dst, strings.NewReader(strings.Join(in, "\n")), nil)
			var le *LineError
			if !errors.As(err, &le) || le.Line != last+1 {
				t.Fatalf("Import error = %v, want one naming line %d", err, last+1)
			}
			c, err := countRecords(context.Background(), dst)
			must(t, err)
			if c.Total() != 0 {
				t.Fatalf("the target holds %v after a failed import, want nothing", c)
			}
		})
	}
}

// TestImportVersion1: a file an older stride wrote (version 1, no ACME
// kinds) still imports; an ACME line in it is corrupt.
func TestImportVersion1(t *testing.T) {
	out := exportString(t, seedDB(t))
	v1 := strings.Replace(out, `"version":2}`, `"version":1}`, 1)
	res, err := Import(context.Background(), newBadger(t), strings.NewReader(v1), nil)
	must(t, err)
	if res.Written.Total() != 10 {
		t.Fatalf("version 1 import = %+v, want 10 written", res)
	}
	bad := v1 + `{"kind":"acmeEABKey","id":"x","provisioner":"p","hmacKey":"AQ=="}` + "\n"
	_, err = Import(context.Background(), newBadger(t), strings.NewReader(bad), nil)
	var le *LineError
	if !errors.As(err, &le) || le.Line != 12 {
		t.Fatalf("ACME line in a version 1 file: %v, want an error naming line 12", err)
	}
}

// purgingStore purges every order (and its authorizations) between the
// export's listing and its reads, as a running CA's PurgeACME may.
type purgingStore struct{ storage.Store }

func (p purgingStore) ACMEAuthz(ctx context.Context, id string) (*storage.ACMEAuthz, error) {
	if _, err := p.Store.PurgeACME(ctx, now.Add(100*time.Hour)); err != nil {
		return nil, err
	}
	return p.Store.ACMEAuthz(ctx, id)
}

// TestExportSkipsPurgedOrder: an order purged while the export reads it
// is left out, not an error; its valid sibling (never purged) stays.
func TestExportSkipsPurgedOrder(t *testing.T) {
	src := seedDB(t)
	seedACME(t, src)
	var buf strings.Builder
	c, err := Export(context.Background(), purgingStore{src}, &buf)
	must(t, err)
	if c.ACMEOrders != 1 || !strings.Contains(buf.String(), `"id":"order-valid"`) || strings.Contains(buf.String(), `"id":"order-pending"`) {
		t.Fatalf("export with a purge under way: %v\n%s", c, buf.String())
	}
}
