package admin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stride-pki/stride/internal/config"
	"github.com/stride-pki/stride/internal/storage"
	"github.com/stride-pki/stride/internal/storage/badger"
	"github.com/stride-pki/stride/internal/storage/bolt"
)

// seedDB fills a bbolt store with 3 certificates (one revoked, one a
// renewal), a revocation of a serial with no certificate, and tokens with
// and without an expiry.
func seedDB(t *testing.T) storage.Store {
	t.Helper()
	s, err := bolt.Open(filepath.Join(t.TempDir(), "src.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ctx := context.Background()
	prov := storage.ProvisionerRef{ID: "admin:kid", Name: "admin", Type: "JWK"}
	for i, serial := range []string{"1001", "1002", "1003"} {
		c := storage.Certificate{Serial: serial, DER: []byte{0x30, byte(i)}, Subject: "host" + serial,
			SANs: []string{"host" + serial + ".example", "10.0.0.1"}, NotBefore: now, NotAfter: now.Add(24 * time.Hour),
			Provisioner: prov, IssuedAt: now}
		if i == 2 {
			c.RenewedFrom = "1001"
		}
		tok := storage.UsedToken{ID: "tok-" + serial, ExpiresAt: now.Add(time.Hour)}
		must(t, s.RecordIssuance(ctx, c, &tok))
	}
	must(t, s.Revoke(ctx, storage.Revocation{Serial: "1002", ReasonCode: 1, Reason: "key compromise",
		RevokedAt: now, ExpiresAt: now.Add(24 * time.Hour), ProvisionerID: "admin:kid", TokenID: "tok-rev", MTLS: true}, nil))
	must(t, s.Revoke(ctx, storage.Revocation{Serial: "99", RevokedAt: now}, nil))
	must(t, s.UseToken(ctx, storage.UsedToken{ID: "tok-rev", ExpiresAt: now.Add(time.Hour)}))
	must(t, s.UseToken(ctx, storage.UsedToken{ID: "forever"}))
	return s
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func newBadger(t *testing.T) storage.Store {
	t.Helper()
	s, err := badger.Open(filepath.Join(t.TempDir(), "dst"), badger.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func exportString(t *testing.T, s storage.Store) string {
	t.Helper()
	var buf bytes.Buffer
	c, err := Export(context.Background(), s, &buf)
	must(t, err)
	if want := (RecordCounts{Certificates: 3, Revocations: 2, Tokens: 5}); c != want {
		t.Fatalf("Export counts = %v, want %v", c, want)
	}
	return buf.String()
}

func TestExportImportRoundTrip(t *testing.T) {
	src := seedDB(t)
	out := exportString(t, src)
	if !strings.HasPrefix(out, `{"kind":"stride-export","version":2}`+"\n") {
		t.Fatalf("export does not start with the header:\n%s", out)
	}
	dst := newBadger(t)
	res, err := Import(context.Background(), dst, strings.NewReader(out), nil)
	must(t, err)
	if res.Written != res.Read || res.Existing.Total() != 0 || res.Read.Total() != 10 {
		t.Fatalf("Import = %+v", res)
	}
	// The target exports the same lines: every field survived.
	if got := exportString(t, dst); got != out {
		t.Fatalf("re-export differs:\n%s\nwant\n%s", got, out)
	}
	// Re-running is idempotent: everything is already there.
	res, err = Import(context.Background(), dst, strings.NewReader(out), nil)
	must(t, err)
	if res.Written.Total() != 0 || res.Existing != res.Read {
		t.Fatalf("re-import = %+v, want everything Existing", res)
	}
	if got := exportString(t, dst); got != out {
		t.Fatal("re-import changed the target")
	}
}

func TestImportCorruptLineWritesNothing(t *testing.T) {
	out := exportString(t, seedDB(t))
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	corrupt := map[string]string{
		"bad json":      `{"kind":"token","id":`,
		"unknown kind":  `{"kind":"account","id":"x"}`,
		"unknown field": `{"kind":"token","id":"x","extra":1}`,
		"bad serial":    `{"kind":"revocation","serial":"12ab","reasonCode":0,"revokedAt":"2026-01-01T00:00:00Z"}`,
		"bad reason":    `{"kind":"revocation","serial":"12","reasonCode":11,"revokedAt":"2026-01-01T00:00:00Z"}`,
		"empty token":   `{"kind":"token","id":""}`,
		"no der":        `{"kind":"certificate","serial":"5","notBefore":"2026-01-01T00:00:00Z","notAfter":"2026-01-01T00:00:00Z","issuedAt":"2026-01-01T00:00:00Z"}`,
	}
	for name, bad := range corrupt {
		t.Run(name, func(t *testing.T) {
			// Line 8 is past several good lines of every kind before it.
			in := append(append(append([]string{}, lines[:7]...), bad), lines[7:]...)
			dst := newBadger(t)
			_, err := Import(context.Background(), dst, strings.NewReader(strings.Join(in, "\n")), nil)
			var le *LineError
			if !errors.As(err, &le) || le.Line != 8 || !strings.Contains(err.Error(), "line 8") {
				t.Fatalf("Import error = %v, want one naming line 8", err)
			}
			c, err := countRecords(context.Background(), dst)
			must(t, err)
			if c.Total() != 0 {
				t.Fatalf("the target holds %v after a failed import, want nothing", c)
			}
		})
	}
}

func TestImportHeader(t *testing.T) {
	for _, in := range []string{"", `{"kind":"token","id":"x"}`, `{"kind":"stride-export","version":3}`, `{"kind":"stride-export","version":0}`} {
		_, err := Import(context.Background(), newBadger(t), strings.NewReader(in), nil)
		if err == nil {
			t.Errorf("Import(%q) succeeded", in)
		}
	}
}

// TestImportResumes: an import cut short (some records already in the
// target) completes on the next run.
func TestImportResumes(t *testing.T) {
	out := exportString(t, seedDB(t))
	lines := strings.Split(out, "\n")
	dst := newBadger(t)
	_, err := Import(context.Background(), dst, strings.NewReader(strings.Join(lines[:5], "\n")), nil)
	must(t, err)
	var reports []string
	res, err := Import(context.Background(), dst, strings.NewReader(out), func(r ImportResult, total int) {
		reports = append(reports, fmt.Sprintf("%d/%d", r.Read.Total(), total))
	})
	must(t, err)
	if res.Existing.Total() != 4 || res.Written.Total() != 6 {
		t.Fatalf("resumed import = %+v, want 4 existing and 6 written", res)
	}
	if len(reports) == 0 || reports[len(reports)-1] != "10/10" {
		t.Fatalf("progress reports %v, want a last one of 10/10", reports)
	}
	if got := exportString(t, dst); got != out {
		t.Fatal("resumed import differs from the source")
	}
}

func TestMigrateBoltToBadger(t *testing.T) {
	src, dst := NewDatabase(seedDB(t)), NewDatabase(newBadger(t))
	res, err := Migrate(context.Background(), src, dst, nil)
	must(t, err)
	if res.Written.Total() != 10 {
		t.Fatalf("Migrate = %+v", res)
	}
	res, err = Migrate(context.Background(), src, dst, nil)
	must(t, err)
	if res.Existing.Total() != 10 || res.Written.Total() != 0 {
		t.Fatalf("second Migrate = %+v, want all existing", res)
	}
}

func TestOpenDatabaseBolt(t *testing.T) {
	dir := t.TempDir()
	db, err := OpenDatabase(&config.DB{Type: "bbolt", DataSource: "db/x.db"}, dir)
	if err != nil {
		if err := os.MkdirAll(filepath.Join(dir, "db"), 0o700); err != nil {
			t.Fatal(err)
		}
		db, err = OpenDatabase(&config.DB{Type: "bbolt", DataSource: "db/x.db"}, dir)
	}
	must(t, err)
	c, err := db.Counts(context.Background())
	must(t, err)
	must(t, db.Close())
	if c.Total() != 0 {
		t.Fatalf("new database counts %v", c)
	}
}
