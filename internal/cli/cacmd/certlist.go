package cacmd

import (
	"context"
	"crypto/x509"

	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
	"github.com/stride-pki/stride/internal/client"
)

// certListCmd builds `ca roots` and `ca federation`, which differ only in the
// endpoint they read and the words they print.
func certListCmd(cmd *cobra.Command, fetch func(*client.Client, context.Context) ([]*x509.Certificate, error), what string) *cobra.Command {
	var conn connFlags
	var force bool
	var format string
	cmd.Args = cobra.MaximumNArgs(1)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		asJSON, err := checkCertFormat(format, argOr(args, 0))
		if err != nil {
			return err
		}
		c, err := conn.client(cmd)
		if err != nil {
			return err
		}
		certs, err := fetch(c, ctxOf(cmd))
		if err != nil {
			return err
		}
		if asJSON {
			return printCertsJSON(cmd, false, certs...)
		}
		return writeOrPrintCerts(cmd, argOr(args, 0), force, what, certs...)
	}
	conn.register(cmd)
	cmd.Flags().BoolVarP(&force, "force", "f", false, "overwrite FILE if it exists")
	cmdutil.FormatFlag(cmd, &format)
	return cmd
}
