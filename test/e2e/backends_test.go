package e2e

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
)

// TestStrideOnEveryBackend: stride-ca serves the step CLI on each storage
// backend ca.json can name (step's type names): issue, renew over mTLS,
// revoke, then a renewal of the revoked certificate is refused — so what
// renewal reads (revocation, provisioner) round-trips through the store.
// PostgreSQL and MariaDB are the machine's servers (scripts/services.sh);
// each run gets a database of its own, which the backend creates.
func TestStrideOnEveryBackend(t *testing.T) {
	t.Parallel()
	suffix := make([]byte, 4)
	rand.Read(suffix)
	db := "stride_e2e_" + hex.EncodeToString(suffix)
	backends := map[string]map[string]any{
		"badgerv2":   {"type": "badgerv2", "dataSource": "db/badger"},
		"postgresql": {"type": "postgresql", "dataSource": "postgresql://postgres@127.0.0.1:5432/", "database": db},
		"mysql":      {"type": "mysql", "dataSource": "root@tcp(127.0.0.1:3306)/", "database": db},
	}
	for name, dbCfg := range backends {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ca := startCA(t, strideCA, caOptions{setup: func(t *testing.T, ca *runningCA) {
				ca.editConfig(func(cfg map[string]any) { cfg["db"] = dbCfg })
			}})
			c := ca.client(t)
			crt, key := ca.issue(t, c, name+".example.com")
			ca.checkLeaf(t, c, crt, name+".example.com")
			must(t, c.step("ca", "renew", "--force", crt, key))
			must(t, c.step("ca", "revoke", "--cert", crt, "--key", key))
			r := c.step("ca", "renew", "--force", crt, key)
			if r.code == 0 {
				t.Fatalf("%s: a revoked certificate renewed", name)
			}
			if !strings.Contains(r.stderr, "revoked") {
				t.Errorf("%s: refusal does not say revoked: %s", name, r)
			}
		})
	}
	t.Cleanup(func() {
		e := newEnv(t)
		e.exec("psql", "", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-c", fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", db))
		e.exec("mariadb", "", "-h", "127.0.0.1", "-u", "root", "-e", fmt.Sprintf("DROP DATABASE IF EXISTS %s", db))
	})
}
