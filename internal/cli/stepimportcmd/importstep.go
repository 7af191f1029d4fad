// Package stepimportcmd holds `stride ca import-step`: it copies a stopped
// step-ca's database (bbolt file or Badger v2 directory) into the database
// a Stride ca.json names, through internal/stepimport. Besides
// inventorycmd, it is the one CLI package allowed to reach a store (through
// stepimport, never internal/storage itself; see docs/architecture.md).
package stepimportcmd

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
	"github.com/stride-pki/stride/internal/config"
	"github.com/stride-pki/stride/internal/stepimport"
)

// New returns the `import-step` command.
func New() *cobra.Command {
	var fromType, from, valueDir, caConfig string
	cmd := &cobra.Command{
		Use:   "import-step --from-db-type badgerv2|bbolt --from PATH [--ca-config CA_JSON]",
		Short: "import a step-ca database: issued certificates, revocations and used tokens",
		Long: `Import a step-ca database into the database a Stride ca.json names (--ca-config, by
default $STRIDEPATH/config/ca.json), so that a step-ca deployment can switch to stride-ca:
certificates step-ca issued renew as before, and those it revoked stay revoked.

--from is step-ca's db.dataSource: a Badger v2 directory (--from-db-type badgerv2, what
step ca init writes) or a bbolt file (--from-db-type bbolt). It is opened read-only; stop
step-ca first. The target, when bbolt or Badger, must not be held by a running stride-ca.

Imported: x509_certs (with the provisioner from x509_certs_data), revoked_x509_certs and
used_ott. Not imported: SSH certificates and hosts, ACME accounts and orders, admins and
provisioners kept in the database, the CRL. Running the import again is harmless: what the
target has already is counted as already present.`,
		Example: `  # step-ca stopped; its ca.json's "db" pointed at a new bbolt file for stride-ca:
  stride ca import-step --from-db-type badgerv2 --from $(step path)/db --ca-config $(step path)/config/ca.json

  stride ca import-step --from-db-type bbolt --from /var/lib/step/bolt.db`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if from == "" || fromType == "" {
				return cmdutil.Usagef("--from and --from-db-type are required")
			}
			paths, err := cmdutil.Paths(cmd)
			if err != nil {
				return err
			}
			if caConfig == "" {
				caConfig = paths.CAConfig()
			}
			if caConfig, err = filepath.Abs(caConfig); err != nil {
				return err
			}
			cfg, err := config.Load(caConfig)
			if err != nil {
				return err
			}
			if stepimport.SameFile(from, cfg, paths.Authority) {
				return cmdutil.Usagef("%s is the database %s names: point its \"db\" at a new bbolt file or Badger directory to import into", from, caConfig)
			}
			src, err := stepimport.Open(fromType, from, valueDir)
			if err != nil {
				return err
			}
			defer src.Close()
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			errw := cmd.ErrOrStderr()
			c, err := stepimport.ToConfig(ctx, src, cfg, paths.Authority, func(n int) {
				if n%1000 == 0 {
					fmt.Fprintf(errw, "%d records read…\n", n)
				}
			})
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "certificates: %d imported, %d already present\n", c.Certificates, c.CertificatesPresent)
			fmt.Fprintf(out, "revocations:  %d imported, %d already present\n", c.Revocations, c.RevocationsPresent)
			fmt.Fprintf(out, "used tokens:  %d imported, %d already present\n", c.Tokens, c.TokensPresent)
			fmt.Fprintf(out, "ACME accounts: %d imported, %d already present\n", c.ACME.Accounts, c.ACME.AccountsPresent)
			fmt.Fprintf(out, "ACME orders:  %d imported, %d already present (valid orders: they tie certificates to accounts)\n",
				c.ACME.Orders, c.ACME.OrdersPresent)
			if len(c.Skipped) > 0 {
				fmt.Fprintf(errw, "skipped %d x509_certs rows that are not certificates: %v\n", len(c.Skipped), c.Skipped)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&fromType, "from-db-type", "", "step-ca's db.type: badgerv2 or bbolt")
	f.StringVar(&from, "from", "", "step-ca's db.dataSource: the Badger v2 directory or bbolt file")
	f.StringVar(&valueDir, "from-value-dir", "", "step-ca's db.valueDir, when its Badger value log is elsewhere")
	f.StringVar(&caConfig, "ca-config", "", "the Stride ca.json whose database receives the import (default $STRIDEPATH/config/ca.json)")
	return cmd
}
