package contextcmd

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
	"github.com/stride-pki/stride/internal/config"
)

func newCurrentCmd() *cobra.Command {
	var format string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "current",
		Short: "print the name of the current context",
		Example: `  stride context current
  stride context current --json   # {"name":…,"authority":…,"profile":…}`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "text" && format != "json" {
				return cmdutil.Usagef("--format must be text or json, not %q", format)
			}
			cur, err := config.LoadCurrentContext(base())
			if err != nil {
				return err
			}
			if cur == "" {
				return errors.New("no context selected")
			}
			if !asJSON && format != "json" {
				fmt.Fprintln(cmd.OutOrStdout(), cur)
				return nil
			}
			ctxs, err := config.LoadContexts(base())
			if err != nil {
				return err
			}
			c, ok := ctxs[cur]
			if !ok {
				return fmt.Errorf("current context %q is not in contexts.json; select another with `stride context select`", cur)
			}
			b, err := json.Marshal(contextJSON{Name: cur, Authority: c.Authority, Profile: c.Profile})
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), string(b))
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the context's name, authority and profile as JSON (as --format json)")
	return cmd
}
