// Package inventorycmd holds `stride ca certificates …`: the inventory of
// what a CA issued, read from its database offline (--ca-config), through
// the admin core's Inventory, so the admin API and console that come later
// answer the same queries. It is the one CLI package allowed to reach a
// store (through internal/admin, never internal/storage itself; see
// docs/architecture.md).
package inventorycmd

import (
	"io"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/admin"
	"github.com/stride-pki/stride/internal/cli/cmdutil"
	"github.com/stride-pki/stride/internal/config"
)

// New returns the `certificates` command group.
func New() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "certificates",
		Short: "list and show the certificates a CA issued, from its database",
		Long: `List and show the certificates a CA issued, reading the database its ca.json names
(--ca-config, by default $STRIDEPATH/config/ca.json). Renewals and rekeys are certificates
of their own. A bbolt or Badger database can be read only while stride-ca is stopped; a
PostgreSQL or MySQL one at any time.`,
	}
	cmd.AddCommand(newListCmd(), newShowCmd())
	return cmd
}

// storeFlags locate the database.
type storeFlags struct {
	caConfig string
}

func (f *storeFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.caConfig, "ca-config", "", "the CA's ca.json (default $STRIDEPATH/config/ca.json)")
}

// open opens the inventory of the CA whose ca.json the flags name; the
// caller closes the returned io.Closer. Relative database paths resolve
// against $STRIDEPATH (or the context's authority), as stride-ca does.
func (f *storeFlags) open(cmd *cobra.Command) (*admin.Inventory, io.Closer, error) {
	paths, err := cmdutil.Paths(cmd)
	if err != nil {
		return nil, nil, err
	}
	path := f.caConfig
	if path == "" {
		path = paths.CAConfig()
	}
	if path, err = filepath.Abs(path); err != nil {
		return nil, nil, err
	}
	cfg, err := config.Load(path)
	if err != nil {
		return nil, nil, err
	}
	return admin.OpenInventory(cfg, paths.Authority, time.Now)
}
