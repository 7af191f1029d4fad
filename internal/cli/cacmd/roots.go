package cacmd

import (
	"github.com/spf13/cobra"
)

func newRootsCmd() *cobra.Command {
	var conn connFlags
	var force bool
	cmd := &cobra.Command{
		Use:   "roots [FILE]",
		Short: "download every root certificate of the CA",
		Long: `Download the CA's root certificates (GET /roots) and write them, PEM
concatenated, to FILE (0600), or print them when FILE is left out.`,
		Example: `  stride ca roots
  stride ca roots roots.pem --force`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := conn.client(cmd)
			if err != nil {
				return err
			}
			certs, err := c.Roots(ctxOf(cmd))
			if err != nil {
				return err
			}
			return writeOrPrintCerts(cmd, argOr(args, 0), force, "root certificates have", certs...)
		},
	}
	conn.register(cmd)
	cmd.Flags().BoolVarP(&force, "force", "f", false, "overwrite FILE if it exists")
	return cmd
}
