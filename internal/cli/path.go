package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
)

func newPathCmd() *cobra.Command {
	var base bool
	var profile bool
	cmd := &cobra.Command{
		Use:   "path",
		Short: "print the configured $STRIDEPATH (the authority directory of the current context)",
		Example: `  stride path
  stride path --base
  STRIDEPATH=/srv/pki stride path`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := cmdutil.Paths(cmd)
			if err != nil {
				return err
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
	return cmd
}
