package cacmd

import (
	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
)

func newRootsCmd() *cobra.Command {
	var conn connFlags
	var force bool
	var format string
	cmd := &cobra.Command{
		Use:   "roots [FILE]",
		Short: "download every root certificate of the CA",
		Long: `Download the CA's root certificates (GET /roots) and write them, PEM
concatenated, to FILE (0600), or print them when FILE is left out.`,
		Example: `  stride ca roots
  stride ca roots roots.pem --force
  stride ca roots --format json   # [{"subject":…,"fingerprint":…,"pem":…}]`,
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
			certs, err := c.Roots(ctxOf(cmd))
			if err != nil {
				return err
			}
			if asJSON {
				return printCertsJSON(cmd, false, certs...)
			}
			return writeOrPrintCerts(cmd, argOr(args, 0), force, "root certificates have", certs...)
		},
	}
	conn.register(cmd)
	cmd.Flags().BoolVarP(&force, "force", "f", false, "overwrite FILE if it exists")
	cmdutil.FormatFlag(cmd, &format)
	return cmd
}
