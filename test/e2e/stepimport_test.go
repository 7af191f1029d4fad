package e2e

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/acme"
)

// TestStepImport (issue 4): the real step-ca issues two certificates and
// revokes one (over mTLS, `step ca revoke --cert --key`), then stops;
// `stride ca import-step` copies its database (bbolt, and Badger v2 as
// `step ca init` configures it) into a new bbolt file that the same ca.json
// now names, and stride-ca starts on that ca.json. `step ca renew` of the
// good certificate works against stride-ca; of the revoked one, it is
// refused. A second import changes nothing.
func TestStepImport(t *testing.T) {
	t.Parallel()
	for _, typ := range []string{"bbolt", "badgerv2"} {
		t.Run(typ, func(t *testing.T) {
			t.Parallel()
			var from string
			ca := startCA(t, stepCA, caOptions{setup: func(t *testing.T, ca *runningCA) {
				from = filepath.Join(ca.env.stepPath, "db", "bolt.db")
				if typ == "badgerv2" { // step ca init's own choice
					from = filepath.Join(ca.env.stepPath, "db")
					ca.editConfig(func(cfg map[string]any) { cfg["db"] = map[string]any{"type": "badgerv2", "dataSource": from} })
				}
			}})
			c := ca.client(t)
			goodCrt, goodKey := ca.issue(t, c, "good.example.com")
			badCrt, badKey := ca.issue(t, c, "bad.example.com")
			good, bad := readCert(t, goodCrt), readCert(t, badCrt)
			must(t, c.step("ca", "revoke", "--cert", badCrt, "--key", badKey))
			ca.stop()

			target := filepath.Join(ca.env.stepPath, "db", "stride.db")
			ca.editConfig(func(cfg map[string]any) { cfg["db"] = map[string]any{"type": "bbolt", "dataSource": target} })
			imp := []string{"ca", "import-step", "--from-db-type", typ, "--from", from, "--ca-config", ca.CAConfig}
			r := must(t, ca.env.stride(imp...))
			for _, want := range []string{"certificates: 2 imported, 0 already present", "revocations:  1 imported, 0 already present", "used tokens:  2 imported"} {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("import printed %s, want %q", r, want)
				}
			}
			r = must(t, ca.env.stride(imp...))
			if !strings.Contains(r.stdout, "certificates: 0 imported, 2 already present") || !strings.Contains(r.stdout, "revocations:  0 imported, 1 already present") {
				t.Errorf("second import printed %s", r)
			}
			r = must(t, ca.env.stride("ca", "certificates", "list", "--ca-config", ca.CAConfig, "--revoked", "--format", "json"))
			if !strings.Contains(r.stdout, bad.SerialNumber.String()) || strings.Contains(r.stdout, good.SerialNumber.String()) {
				t.Errorf("revoked certificates after the import: %s", r.stdout)
			}

			ca.kind = strideCA
			ca.exited = make(chan struct{})
			ca.start()
			must(t, c.step("ca", "renew", "--force", goodCrt, goodKey))
			renewed := ca.checkLeaf(t, c, goodCrt, "good.example.com")
			if renewed.SerialNumber.Cmp(good.SerialNumber) == 0 {
				t.Error("the renewal kept the serial")
			}
			refused(t, c.step("ca", "renew", "--force", badCrt, badKey), "revoked")
			if readCert(t, badCrt).SerialNumber.Cmp(bad.SerialNumber) != 0 {
				t.Error("the revoked certificate was replaced")
			}
		})
	}
}

// TestStepImportACMEAccount (issue 4): an ACME account registered with the
// real step-ca (through golang.org/x/crypto/acme) survives `stride ca
// import-step`: stride-ca, serving the same address, finds it by its key
// (onlyReturnExisting) at the same account URL, and a key step-ca never saw
// has no account.
func TestStepImportACMEAccount(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ca := startCA(t, stepCA, caOptions{initArgs: []string{"--acme"}})
	dir := ca.URL + "/acme/acme/directory"
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	step := &acme.Client{Key: key, DirectoryURL: dir, HTTPClient: ca.httpClient()}
	registered, err := step.Register(ctx, &acme.Account{Contact: []string{"mailto:ops@example.com"}}, acme.AcceptTOS)
	if err != nil {
		t.Fatalf("registering with step-ca: %v", err)
	}
	ca.stop()

	from := filepath.Join(ca.env.stepPath, "db", "bolt.db")
	ca.editConfig(func(cfg map[string]any) {
		cfg["db"] = map[string]any{"type": "bbolt", "dataSource": filepath.Join(ca.env.stepPath, "db", "stride.db")}
	})
	r := must(t, ca.env.stride("ca", "import-step", "--from-db-type", "bbolt", "--from", from, "--ca-config", ca.CAConfig))
	if !strings.Contains(r.stdout, "ACME accounts: 1 imported") {
		t.Errorf("import printed %s, want one ACME account", r)
	}
	ca.kind = strideCA
	ca.exited = make(chan struct{})
	ca.start()

	stride := &acme.Client{Key: key, DirectoryURL: dir, HTTPClient: ca.httpClient()}
	found, err := stride.GetReg(ctx, "")
	if err != nil {
		t.Fatalf("looking the imported account up at stride-ca: %v", err)
	}
	if found.URI != registered.URI || found.Status != acme.StatusValid ||
		len(found.Contact) != 1 || found.Contact[0] != "mailto:ops@example.com" {
		t.Errorf("stride-ca found %+v, step-ca registered %+v", found, registered)
	}
	other, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	stranger := &acme.Client{Key: other, DirectoryURL: dir, HTTPClient: ca.httpClient()}
	if _, err := stranger.GetReg(ctx, ""); !errors.Is(err, acme.ErrNoAccount) {
		t.Errorf("a key step-ca never saw: %v, want no account", err)
	}
}
