package e2e

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"
)

// TestInventory: stride-ca issues certificates to the step CLI, one is
// revoked and one renewed, then `stride ca certificates` reads the CA's
// database directly. On PostgreSQL it reads while the server serves; on
// bbolt (which one process at a time may open) it is refused with advice
// while the server runs and reads once it has stopped.
func TestInventory(t *testing.T) {
	t.Parallel()
	suffix := make([]byte, 4)
	rand.Read(suffix)
	db := "stride_inv_" + hex.EncodeToString(suffix)
	t.Run("postgresql", func(t *testing.T) {
		t.Parallel()
		ca := startInventoryCA(t, map[string]any{"type": "postgresql",
			"dataSource": "postgresql://postgres@127.0.0.1:5432/", "database": db})
		checkInventory(t, ca, issueInventory(t, ca))
		if !ca.alive() {
			t.Fatal("the server stopped while the inventory read its database")
		}
	})
	t.Run("bbolt", func(t *testing.T) {
		t.Parallel()
		ca := startInventoryCA(t, nil)
		want := issueInventory(t, ca)
		r := ca.env.stride("ca", "certificates", "list", "--ca-config", ca.CAConfig)
		mustFail(t, r, "stop stride-ca")
		ca.stop()
		checkInventory(t, ca, want)
	})
	t.Cleanup(func() {
		e := newEnv(t)
		e.exec("psql", "", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-c",
			fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", db))
	})
}

// startInventoryCA starts stride-ca on dbCfg (nil: the harness's bbolt),
// letting the JWK provisioner issue for up to 100 days.
func startInventoryCA(t *testing.T, dbCfg map[string]any) *runningCA {
	t.Helper()
	return startCA(t, strideCA, caOptions{setup: func(t *testing.T, ca *runningCA) {
		if dbCfg != nil {
			ca.editConfig(func(cfg map[string]any) { cfg["db"] = dbCfg })
		}
		ca.setClaims(provisionerName, map[string]any{"maxTLSCertDuration": "2400h"})
	}})
}

// issued is what the inventory must show.
type issued struct {
	revoked, long        string // serials
	renewedFrom, renewed string // the renewed certificate, before and after
}

// issueInventory issues a (then renewed), b (then revoked) and a 50-day long.example.com.
func issueInventory(t *testing.T, ca *runningCA) issued {
	t.Helper()
	c := ca.client(t)
	crtA, keyA := ca.issue(t, c, "a.example.com")
	crtB, keyB := ca.issue(t, c, "b.example.com")
	crtL, _ := ca.issue(t, c, "long.example.com", "--not-after", "1200h")
	var w issued
	w.renewedFrom = readCert(t, crtA).SerialNumber.String()
	w.revoked, w.long = readCert(t, crtB).SerialNumber.String(), readCert(t, crtL).SerialNumber.String()
	must(t, c.step("ca", "revoke", "--cert", crtB, "--key", keyB))
	must(t, c.step("ca", "renew", "--force", crtA, keyA))
	w.renewed = readCert(t, crtA).SerialNumber.String()
	return w
}

type invRow struct {
	Serial      string   `json:"serial"`
	Subject     string   `json:"subject"`
	SANs        []string `json:"sans"`
	NotBefore   string   `json:"notBefore"`
	NotAfter    string   `json:"notAfter"`
	Provisioner string   `json:"provisioner"`
	RenewedFrom string   `json:"renewedFrom"`
	Status      string   `json:"status"`
	RevokedAt   *string  `json:"revokedAt"`
}

// listJSON runs `stride ca certificates list --format json` with args.
func listJSON(t *testing.T, ca *runningCA, args ...string) []invRow {
	t.Helper()
	r := must(t, ca.env.stride(append([]string{"ca", "certificates", "list", "--ca-config", ca.CAConfig,
		"--format", "json"}, args...)...))
	var rows []invRow
	if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil {
		t.Fatalf("list %v: not a JSON array: %v\n%s", args, err, r.stdout)
	}
	return rows
}

func rowSerials(rows []invRow) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.Serial
	}
	sort.Strings(out)
	return out
}

func wantRows(t *testing.T, what string, rows []invRow, want ...string) {
	t.Helper()
	sort.Strings(want)
	if got := rowSerials(rows); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("%s: serials %q, want %q", what, got, want)
	}
}

func checkInventory(t *testing.T, ca *runningCA, w issued) {
	t.Helper()
	all := listJSON(t, ca)
	wantRows(t, "all", all, w.renewedFrom, w.renewed, w.revoked, w.long)
	for _, r := range all {
		if r.Provisioner != provisionerName || r.NotBefore == "" || r.NotAfter == "" || len(r.SANs) == 0 {
			t.Errorf("row %+v: want provisioner, validity and SANs", r)
		}
		if (r.RevokedAt != nil) != (r.Serial == w.revoked) {
			t.Errorf("row %s: revokedAt %v", r.Serial, r.RevokedAt)
		}
		if r.Serial == w.renewed && r.RenewedFrom != w.renewedFrom {
			t.Errorf("renewal %s: renewedFrom %q, want %q", r.Serial, r.RenewedFrom, w.renewedFrom)
		}
	}
	wantRows(t, "--revoked", listJSON(t, ca, "--revoked"), w.revoked)
	wantRows(t, "--revoked=false", listJSON(t, ca, "--revoked=false"), w.renewedFrom, w.renewed, w.long)
	wantRows(t, "--san LONG.example", listJSON(t, ca, "--san", "LONG.example"), w.long)
	wantRows(t, "--subject a.example", listJSON(t, ca, "--subject", "a.example"), w.renewedFrom, w.renewed)
	wantRows(t, "--expiring-within 30d", listJSON(t, ca, "--expiring-within", "30d"), w.renewedFrom, w.renewed, w.revoked)
	wantRows(t, "--provisioner", listJSON(t, ca, "--provisioner", "nobody"))
	wantRows(t, "--issued-after", listJSON(t, ca, "--issued-after", "2000-01-01"), w.renewedFrom, w.renewed, w.revoked, w.long)
	checkInventoryFormats(t, ca, w)
}

func checkInventoryFormats(t *testing.T, ca *runningCA, w issued) {
	t.Helper()
	list := []string{"ca", "certificates", "list", "--ca-config", ca.CAConfig}
	r := must(t, ca.env.stride(append(list, "--format", "csv")...))
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if lines[0] != "serial,subject,sans,notBefore,notAfter,issuedAt,provisioner,provisionerType,renewedFrom,status,revokedAt" ||
		len(lines) != 5 {
		t.Errorf("csv: header %q and %d lines, want the header and 4 rows:\n%s", lines[0], len(lines), r.stdout)
	}
	r = must(t, ca.env.stride(append(list, "--limit", "3")...))
	if n := strings.Count(strings.TrimSpace(r.stdout), "\n"); n != 3 || !strings.Contains(r.stderr, "--cursor") {
		t.Errorf("--limit 3: %d rows, want 3 and a cursor on stderr: %s", n, r)
	}
	cursor := strings.TrimSpace(r.stderr[strings.LastIndex(r.stderr, "--cursor")+len("--cursor"):])
	if rest := listJSON(t, ca, "--limit", "3", "--cursor", cursor); len(rest) != 1 {
		t.Errorf("page 2: %d rows, want 1", len(rest))
	}
	mustFail(t, ca.env.stride(append(list, "--expiring-within", "soon")...), "expiring within")
	r = must(t, ca.env.stride("ca", "certificates", "show", w.revoked, "--ca-config", ca.CAConfig))
	for _, want := range []string{w.revoked, "b.example.com", "revoked", "-----BEGIN CERTIFICATE-----"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("show: no %q in\n%s", want, r.stdout)
		}
	}
	mustFail(t, ca.env.stride("ca", "certificates", "show", "12345", "--ca-config", ca.CAConfig), "no certificate")
}
