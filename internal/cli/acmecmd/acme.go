// Package acmecmd holds `stride ca acme …`: today the external account
// binding keys of ACME provisioners (`stride ca acme eab add|list|remove`,
// step's command shape). step's commands call the admin API, which
// step-ca's open-source edition answers with 501; Stride's work offline on
// the CA's database (--ca-config), through the admin core's EAB, as
// `stride ca certificates` does through its Inventory. Like inventorycmd it
// reaches a store only through internal/admin (docs/architecture.md).
package acmecmd

import (
	"io"
	"net/url"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/acme"
	"github.com/stride-pki/stride/internal/admin"
	"github.com/stride-pki/stride/internal/cli/cmdutil"
	"github.com/stride-pki/stride/internal/config"
)

// New returns the `acme` command group.
func New() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "acme",
		Short: "manage what a CA's ACME provisioners keep in its database",
	}
	eab := &cobra.Command{
		Use:   "eab",
		Short: "add, list and remove ACME external account binding keys",
		Long: `Manage the external account binding (EAB) keys of an ACME provisioner (RFC 8555 §7.3.4).
With "requireEAB": true in the provisioner, a client must present a key ID and its HMAC key
to create an account; each key binds one account. Keys live in the CA's database, read
offline from the ca.json --ca-config names (default $STRIDEPATH/config/ca.json): a bbolt or
Badger database only while stride-ca is stopped, a PostgreSQL or MySQL one at any time.`,
	}
	eab.AddCommand(newAddCmd(), newListCmd(), newRemoveCmd())
	cmd.AddCommand(eab)
	return cmd
}

// storeFlags locate the CA whose database holds the keys.
type storeFlags struct {
	caConfig string
	format   string
}

func (f *storeFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.caConfig, "ca-config", "", "the CA's ca.json (default $STRIDEPATH/config/ca.json)")
	cmd.Flags().StringVar(&f.format, "format", "table", "output `FORMAT`: table or json")
}

func (f *storeFlags) checkFormat() error {
	if f.format != "table" && f.format != "json" {
		return cmdutil.Usagef("--format %q: use table or json", f.format)
	}
	return nil
}

// open loads ca.json and opens the key manager over its database; the
// caller closes the io.Closer.
func (f *storeFlags) open(cmd *cobra.Command) (*admin.EAB, *config.CAConfig, io.Closer, error) {
	paths, err := cmdutil.Paths(cmd)
	if err != nil {
		return nil, nil, nil, err
	}
	path := f.caConfig
	if path == "" {
		path = paths.CAConfig()
	}
	if path, err = filepath.Abs(path); err != nil {
		return nil, nil, nil, err
	}
	cfg, err := config.Load(path)
	if err != nil {
		return nil, nil, nil, err
	}
	e, closer, err := admin.OpenEAB(cfg, paths.Authority, newKey, time.Now)
	return e, cfg, closer, err
}

// newKey is acme.NewEABKey in the shape the admin core takes.
func newKey() (string, []byte, error) {
	k, err := acme.NewEABKey()
	return k.ID, k.Key, err
}

// directoryURL is the provisioner's ACME directory as stride-ca serves it,
// for the client hints; "" when ca.json does not say where that is.
func directoryURL(cfg *config.CAConfig, provisioner string) string {
	base, err := cmdutil.CAURLOf(cfg)
	if err != nil {
		return ""
	}
	return base + "/acme/" + url.PathEscape(provisioner) + "/directory"
}
