// Package dbcmd holds `stride ca db export|import|migrate`: moving a CA's
// database records between files and backends, offline, through the admin
// core's Database. Like inventorycmd it reaches a store only through
// internal/admin, never internal/storage (see docs/architecture.md).
package dbcmd

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/admin"
	"github.com/stride-pki/stride/internal/cli/cmdutil"
	"github.com/stride-pki/stride/internal/config"
)

// New returns the `db` command group.
func New() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "db",
		Short: "export, import and migrate a CA's database",
		Long: `Export a CA's database to a JSON-lines file, import such a file, or migrate every record
from one database to another (e.g. bbolt to PostgreSQL). Stop stride-ca first: a bbolt or
Badger database cannot be opened while it runs, and a migration verifies counts that must
not change under it.`,
	}
	cmd.AddCommand(newExportCmd(), newImportCmd(), newMigrateCmd())
	return cmd
}

// openCAConfig opens the database of the ca.json at path ("" = the
// default $STRIDEPATH/config/ca.json).
func openCAConfig(cmd *cobra.Command, path string) (*admin.Database, error) {
	paths, err := cmdutil.Paths(cmd)
	if err != nil {
		return nil, err
	}
	if path == "" {
		path = paths.CAConfig()
	}
	return openSpec(path, paths.Authority)
}

// openSpec opens the database spec names: a JSON object like ca.json's
// "db" (relative paths from base), or the path of a ca.json (relative
// paths from the parent of its directory, as stride-ca resolves them).
func openSpec(spec, base string) (*admin.Database, error) {
	if strings.HasPrefix(strings.TrimSpace(spec), "{") {
		var db config.DB
		if err := json.Unmarshal([]byte(spec), &db); err != nil {
			return nil, &cmdutil.UsageError{Err: fmt.Errorf("db config %s: %w", spec, err)}
		}
		return admin.OpenDatabase(&db, base)
	}
	path, err := filepath.Abs(spec)
	if err != nil {
		return nil, err
	}
	cfg, err := config.Load(path)
	if err != nil {
		return nil, err
	}
	if cfg.DB == nil {
		return nil, fmt.Errorf("%s has no \"db\"", path)
	}
	return admin.OpenDatabase(cfg.DB, filepath.Dir(filepath.Dir(path)))
}

// progressLine reports progress on w as one line rewritten in place.
func progressLine(w io.Writer) admin.Progress {
	return func(r admin.ImportResult, total int) {
		pct := 100
		if total > 0 {
			pct = r.Read.Total() * 100 / total
		}
		bar := strings.Repeat("#", pct/5) + strings.Repeat(".", 20-pct/5)
		fmt.Fprintf(w, "\r[%s] %3d%% %d/%d records (%d new, %d already there)",
			bar, pct, r.Read.Total(), total, r.Written.Total(), r.Existing.Total())
	}
}

func closeQuietly(db *admin.Database) { _ = db.Close() }
