package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
	"github.com/stride-pki/stride/internal/config"
)

func newPathCmd() *cobra.Command {
	var base bool
	var profile bool
	var format string
	cmd := &cobra.Command{
		Use:   "path",
		Short: "print the configured $STRIDEPATH (the authority directory of the current context)",
		Example: `  stride path
  stride path --base
  STRIDEPATH=/srv/pki stride path
  stride path --format json   # {"base":…,"authority":…,"profile":…,"context":…}`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			asJSON, err := cmdutil.WantJSON(format)
			if err != nil {
				return err
			}
			p, err := cmdutil.Paths(cmd)
			if err != nil {
				return err
			}
			if asJSON {
				return printPathJSON(cmd, p)
			}
			switch {
			case base:
				fmt.Fprintln(cmd.OutOrStdout(), p.Base)
			case profile:
				if p.Profile == "" {
					return fmt.Errorf("no profile: the current context has none")
				}
				fmt.Fprintln(cmd.OutOrStdout(), p.Profile)
			default:
				fmt.Fprintln(cmd.OutOrStdout(), p.Authority)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&base, "base", false, "print the base path ($STRIDEPATH) even when a context is selected")
	cmd.Flags().BoolVar(&profile, "profile", false, "print the profile directory of the current context")
	cmd.Flags().String("context", "", "the context to use")
	cmdutil.FormatFlag(cmd, &format)
	return cmd
}

// printPathJSON prints every path at once; --base and --profile do not
// apply, a script picks the key it needs.
func printPathJSON(cmd *cobra.Command, p config.Paths) error {
	return cmdutil.PrintJSON(cmd.OutOrStdout(), struct {
		Base      string `json:"base"`
		Authority string `json:"authority"`
		Profile   string `json:"profile,omitempty"`
		Context   string `json:"context,omitempty"`
	}{p.Base, p.Authority, p.Profile, p.Context})
}
