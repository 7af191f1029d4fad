package cacmd

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
	"github.com/stride-pki/stride/internal/client"
)

func newHealthCmd() *cobra.Command {
	var conn connFlags
	var format string
	cmd := &cobra.Command{
		Use:   "health",
		Short: "check that the CA is up: prints ok",
		Long: `Ask the CA for GET /health over TLS verified with the root, and print the status
it reports ("ok"). Exits 1 when the CA cannot be reached or is not healthy.`,
		Example: `  stride ca health
  stride ca health --ca-url https://ca.internal:9000 --root root_ca.crt
  stride ca health --format json   # {"status": "ok"}`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			asJSON, err := cmdutil.WantJSON(format)
			if err != nil {
				return err
			}
			c, err := conn.client(cmd)
			if err != nil {
				return err
			}
			res, err := progress(cmd.ErrOrStderr(), "Waiting for the CA …", func() (*client.HealthResponse, error) {
				return c.Health(ctxOf(cmd))
			})
			if err != nil {
				return err
			}
			if res.Status != "ok" {
				return fmt.Errorf("the CA reports status %q", res.Status)
			}
			if asJSON {
				return cmdutil.PrintJSON(cmd.OutOrStdout(), map[string]string{"status": res.Status})
			}
			fmt.Fprintln(cmd.OutOrStdout(), res.Status)
			return nil
		},
	}
	conn.register(cmd)
	cmdutil.FormatFlag(cmd, &format)
	return cmd
}
