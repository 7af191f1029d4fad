package e2e

import (
	"path/filepath"
	"strings"
	"testing"
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
