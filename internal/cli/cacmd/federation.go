package cacmd

import (
	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
)

func newFederationCmd() *cobra.Command {
	var conn connFlags
	var force bool
	var format string
	cmd := &cobra.Command{
		Use:   "federation [FILE]",
		Short: "download the CA's roots and federated roots",
		Long: `Download the certificates the CA trusts (GET /federation: its roots and the
federated roots of ca.json) and write them, PEM concatenated, to FILE (0600), or print
them when FILE is left out.`,
		Example: `  stride ca federation
  stride ca federation federation.pem
  stride ca federation --format json   # [{"subject":…,"fingerprint":…,"pem":…}]`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			asJSON, err := checkCertFormat(format, argOr(args, 0))
			if err != nil {
				return err
			}
			c, err := conn.client(cmd)
			if err != nil {
				return err
			}
			certs, err := c.Federation(ctxOf(cmd))
			if err != nil {
				return err
			}
			if asJSON {
				return printCertsJSON(cmd, false, certs...)
			}
			return writeOrPrintCerts(cmd, argOr(args, 0), force, "federated certificates have", certs...)
		},
	}
	conn.register(cmd)
	cmd.Flags().BoolVarP(&force, "force", "f", false, "overwrite FILE if it exists")
	cmdutil.FormatFlag(cmd, &format)
	return cmd
}
