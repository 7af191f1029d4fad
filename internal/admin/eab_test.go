package admin

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stride-pki/stride/internal/caerr"
	"github.com/stride-pki/stride/internal/config"
	"github.com/stride-pki/stride/internal/storage"
	"github.com/stride-pki/stride/internal/storage/bolt"
)

func testProvisioners(t *testing.T) []config.Provisioner {
	t.Helper()
	var out []config.Provisioner
	for _, c := range []config.ProvisionerCommon{{Type: "JWK", Name: "admin"}, {Type: "ACME", Name: "acme"}, {Type: "acme", Name: "acme2"}} {
		p, err := config.NewProvisioner(c)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

func newEAB(t *testing.T) (*EAB, *bolt.Store) {
	t.Helper()
	s, err := bolt.Open(filepath.Join(t.TempDir(), "db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	n := 0
	gen := func() (string, []byte, error) {
		n++
		return fmt.Sprintf("key-%02d", n), []byte{byte(n), 0xfb, 0xff}, nil
	}
	return NewEAB(s, testProvisioners(t), gen, func() time.Time { return now }), s
}

func kindOf(err error) string {
	if err == nil {
		return ""
	}
	var ce *caerr.Error
	if errors.As(err, &ce) {
		return ce.Kind.String()
	}
	return "other"
}

func TestEABAdd(t *testing.T) {
	e, _ := newEAB(t)
	ctx := context.Background()
	team := &config.X509Policy{Allow: &config.X509Names{DNSDomains: []string{"*.team.example"}}}
	cases := []struct {
		name, prov string
		opts       EABAddOptions
		want       string // caerr kind, "" = made
	}{
		{"Plain", "acme", EABAddOptions{}, ""},
		{"WithReference", "acme", EABAddOptions{Reference: "team-a"}, ""},
		{"SameReferenceOtherProvisioner", "acme2", EABAddOptions{Reference: "team-a"}, ""},
		{"DuplicateReference", "acme", EABAddOptions{Reference: "team-a"}, "bad request"},
		{"WithPolicy", "acme", EABAddOptions{Policy: team}, ""},
		{"BadPolicy", "acme", EABAddOptions{Policy: &config.X509Policy{Allow: &config.X509Names{DNSDomains: []string{".bad"}}}}, "bad request"},
		{"NotACME", "admin", EABAddOptions{}, "bad request"},
		{"Unknown", "nope", EABAddOptions{}, "bad request"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			k, err := e.Add(ctx, c.prov, c.opts)
			if kindOf(err) != c.want {
				t.Fatalf("Add = %+v, %v; want %q", k, err, c.want)
			}
			if c.want != "" {
				return
			}
			if k.Provisioner != c.prov || k.Reference != c.opts.Reference || !k.CreatedAt.Equal(now) || k.BoundAt != nil {
				t.Fatalf("Add = %+v", k)
			}
			if b, err := base64.RawURLEncoding.DecodeString(k.HMACKey); err != nil || len(b) != 3 {
				t.Fatalf("hmacKey %q is not the key in base64url", k.HMACKey)
			}
			if (c.opts.Policy != nil) != (k.Policy != nil) {
				t.Fatalf("policy = %s", k.Policy)
			}
		})
	}
}

func TestEABListAndRemove(t *testing.T) {
	e, s := newEAB(t)
	ctx := context.Background()
	a, _ := e.Add(ctx, "acme", EABAddOptions{Reference: "team-a"})
	b, _ := e.Add(ctx, "acme", EABAddOptions{})
	other, _ := e.Add(ctx, "acme2", EABAddOptions{})
	// Binding is the ACME server's business; do it as it would.
	acct := &storage.ACMEAccount{ID: "acct-1", Provisioner: "acme", KeyID: "tp", Key: []byte(`{}`), Status: "valid", EABKeyID: a.ID, CreatedAt: now}
	if err := s.CreateACMEAccount(ctx, acct); err != nil {
		t.Fatal(err)
	}

	all, err := e.List(ctx, "acme", "")
	if err != nil || len(all) != 2 || all[0].ID != a.ID || all[1].ID != b.ID {
		t.Fatalf("List = %+v, %v", all, err)
	}
	if all[0].HMACKey != "" || all[0].Account != "acct-1" || all[0].BoundAt == nil || all[1].BoundAt != nil {
		t.Fatalf("List must show bindings and never the key: %+v", all)
	}
	byRef, _ := e.List(ctx, "acme", "team-a")
	none, _ := e.List(ctx, "acme", "nobody")
	if len(byRef) != 1 || byRef[0].ID != a.ID || none == nil || len(none) != 0 {
		t.Fatalf("by reference: %+v, %+v", byRef, none)
	}
	if js, _ := json.Marshal(none); string(js) != "[]" {
		t.Errorf("an empty list is %s, want []", js)
	}
	if _, err := e.List(ctx, "", ""); kindOf(err) != "bad request" {
		t.Errorf("List without provisioner = %v", err)
	}

	cases := []struct {
		name, prov, id, want string
	}{
		{"OtherProvisioner", "acme", other.ID, "not found"},
		{"Unknown", "acme", "nope", "not found"},
		{"Bound", "acme", a.ID, ""},
		{"Again", "acme", a.ID, "not found"},
		{"Unbound", "acme2", other.ID, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := e.Remove(ctx, c.prov, c.id); kindOf(err) != c.want {
				t.Fatalf("Remove = %v; want %q", err, c.want)
			}
		})
	}
	if left, _ := e.List(ctx, "acme", ""); len(left) != 1 || left[0].ID != b.ID {
		t.Fatalf("after removal: %+v", left)
	}
	if got, err := s.ACMEAccount(ctx, "acct-1"); err != nil || got.Status != "valid" {
		t.Fatalf("the bound account must survive its key: %+v, %v", got, err)
	}
}

func TestOpenEABLocked(t *testing.T) {
	dir := t.TempDir()
	held, err := bolt.Open(filepath.Join(dir, "db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	cfg := &config.CAConfig{DB: &config.DB{Type: config.DBTypeBolt, DataSource: "db"}, Authority: &config.Authority{}}
	_, _, err = OpenEAB(cfg, dir, nil, time.Now)
	if !errors.Is(err, storage.ErrLocked) {
		t.Fatalf("OpenEAB on a held database = %v, want ErrLocked", err)
	}
}
