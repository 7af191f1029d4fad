package dbcmd

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// export is a small export file: two certificates, one revoked, a
// revocation of an unknown serial, three tokens, and ACME state: an EAB key
// bound to an account, an unbound one, an account whose key was deleted,
// and a valid order (of certificate 11) with two authorizations.
const export = `{"kind":"stride-export","version":2}
{"kind":"certificate","serial":"11","der":"MAE=","subject":"a","sans":["a.example"],"notBefore":"2026-01-01T00:00:00Z","notAfter":"2026-02-01T00:00:00Z","provisionerId":"admin:k","provisionerName":"admin","provisionerType":"JWK","issuedAt":"2026-01-01T00:00:00Z"}
{"kind":"certificate","serial":"12","der":"MAI=","subject":"b","notBefore":"2026-01-01T00:00:00Z","notAfter":"2026-02-01T00:00:00Z","issuedAt":"2026-01-01T00:00:00Z","renewedFrom":"11"}
{"kind":"revocation","serial":"11","reasonCode":4,"reason":"superseded","revokedAt":"2026-01-02T00:00:00Z","expiresAt":"2026-02-01T00:00:00Z","tokenId":"t3"}
{"kind":"revocation","serial":"77","reasonCode":0,"revokedAt":"2026-01-03T00:00:00Z"}
{"kind":"token","id":"t1","expiresAt":"2026-01-01T00:05:00Z"}
{"kind":"token","id":"t2"}
{"kind":"token","id":"t3","expiresAt":"2026-01-02T00:05:00Z"}
{"kind":"acmeEABKey","id":"kid-1","provisioner":"acme","reference":"ops","hmacKey":"AQID","createdAt":"2026-01-01T00:00:00Z","accountId":"acct-1","boundAt":"2026-01-01T01:00:00Z","policy":"e30="}
{"kind":"acmeEABKey","id":"kid-2","provisioner":"acme","hmacKey":"BAUG","createdAt":"2026-01-01T00:00:00Z"}
{"kind":"acmeAccount","id":"acct-1","provisioner":"acme","keyId":"thumb-1","key":"e30=","contact":["mailto:b@example.com","mailto:a@example.com"],"status":"valid","eabKeyId":"kid-1","createdAt":"2026-01-01T01:00:00Z"}
{"kind":"acmeAccount","id":"acct-2","provisioner":"acme","keyId":"thumb-2","key":"e30=","status":"deactivated","eabKeyId":"kid-gone","createdAt":"2026-01-01T02:00:00Z"}
{"kind":"acmeOrder","id":"ord-1","accountId":"acct-1","provisioner":"acme","identifiers":[{"type":"dns","value":"a.example"},{"type":"dns","value":"example"}],"status":"valid","profile":"tls","createdAt":"2026-01-01T00:00:00Z","expiresAt":"2026-01-02T00:00:00Z","certificateSerial":"11","authorizations":[{"id":"az-1","accountId":"acct-1","provisioner":"acme","identifier":{"type":"dns","value":"a.example"},"status":"valid","token":"tk","challenges":[{"id":"ch-1","type":"http-01","status":"valid","validatedAt":"2026-01-01T00:01:00Z"},{"id":"ch-2","type":"dns-01","status":"pending"}],"createdAt":"2026-01-01T00:00:00Z","expiresAt":"2026-01-02T00:00:00Z"},{"id":"az-2","accountId":"acct-1","provisioner":"acme","identifier":{"type":"dns","value":"example"},"wildcard":true,"status":"pending","challenges":[{"id":"ch-3","type":"dns-01","status":"invalid","error":"e30="}],"createdAt":"2026-01-01T00:00:00Z","expiresAt":"2026-01-02T00:00:00Z","validateAt":"2026-01-01T00:02:00Z","attempts":3}]}
`

// run runs `stride ca db args…` and returns its standard output and error.
func run(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	cmd := New()
	var out, errOut bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs(args)
	cmd.SetContext(context.Background())
	err := cmd.Execute()
	return out.String(), errOut.String(), err
}

// TestMigrateBoltToPostgreSQL imports a file into bbolt, migrates it to the
// PostgreSQL of scripts/services.sh, verifies the counts and exports the
// same file back; a second migration finds everything there already.
func TestMigrateBoltToPostgreSQL(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("STRIDEPATH", dir)
	file := filepath.Join(dir, "in.jsonl")
	if err := os.WriteFile(file, []byte(export), 0o600); err != nil {
		t.Fatal(err)
	}
	bolt := fmt.Sprintf(`{"type":"bbolt","dataSource":%q}`, filepath.Join(dir, "stride.db"))
	writeCAConfig(t, dir, bolt)
	if _, stderr, err := run(t, "import", file); err != nil {
		t.Fatalf("import: %v\n%s", err, stderr)
	}
	pg := fmt.Sprintf(`{"type":"postgresql","dataSource":"postgres://postgres@127.0.0.1:5432/%s?sslmode=disable"}`, newDatabase(t))
	_, stderr, err := run(t, "migrate", "--from", filepath.Join(dir, "config", "ca.json"), "--to", pg)
	if err != nil {
		t.Fatalf("migrate: %v\n%s", err, stderr)
	}
	for _, want := range []string{"100%", "new: 2 certificates, 2 revocations, 3 tokens, 2 ACME EAB keys, 2 ACME accounts, 1 ACME orders (2 authorizations)", "counts verified"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("migrate output lacks %q:\n%s", want, stderr)
		}
	}
	writeCAConfig(t, dir, pg)
	out := filepath.Join(dir, "out.jsonl")
	if _, stderr, err := run(t, "export", "--out", out); err != nil {
		t.Fatalf("export: %v\n%s", err, stderr)
	}
	if got, _ := os.ReadFile(out); string(got) != export {
		t.Fatalf("PostgreSQL exports\n%s\nwant\n%s", got, export)
	}
	_, stderr, err = run(t, "migrate", "--from", bolt, "--to", pg)
	if err != nil || !strings.Contains(stderr, "already there: 2 certificates, 2 revocations, 3 tokens, 2 ACME EAB keys, 2 ACME accounts, 1 ACME orders (2 authorizations)") {
		t.Fatalf("second migrate: %v\n%s", err, stderr)
	}
}

func TestImportCorruptLine(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("STRIDEPATH", dir)
	writeCAConfig(t, dir, `{"type":"bbolt","dataSource":"db/stride.db"}`)
	if err := os.MkdirAll(filepath.Join(dir, "db"), 0o700); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "in.jsonl")
	bad := strings.Replace(export, `{"kind":"token","id":"t2"}`, `{"kind":"token","id":"t2"`, 1)
	if err := os.WriteFile(file, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, "import", file); err == nil || !strings.Contains(err.Error(), "line 7") {
		t.Fatalf("import of a corrupt file: %v, want an error naming line 7", err)
	}
	stdout, _, err := run(t, "export")
	if err != nil || stdout != `{"kind":"stride-export","version":2}`+"\n" {
		t.Fatalf("after a failed import the database exports %q, %v; want the header alone", stdout, err)
	}
}

func writeCAConfig(t *testing.T, dir, db string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dir, "config"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config", "ca.json"), []byte(`{"db":`+db+`}`), 0o600); err != nil {
		t.Fatal(err)
	}
}

// newDatabase names a fresh PostgreSQL database (the store creates it)
// and drops it when the test ends.
func newDatabase(t *testing.T) string {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	name := "stride_dbcmd_" + hex.EncodeToString(b)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable")
		if err != nil {
			t.Errorf("drop %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop %s: %v", name, err)
		}
	})
	return name
}
