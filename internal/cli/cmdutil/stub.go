package cmdutil

import (
	"fmt"

	"github.com/spf13/cobra"
)

// Stub is a placeholder for a command that is being built; it fails clearly.
// TODO(issue 2): every Stub is replaced before the issue closes.
func Stub(use, short string) *cobra.Command {
	return &cobra.Command{
		Use:   use,
		Short: short,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return fmt.Errorf("%s is not implemented yet", cmd.CommandPath())
		},
	}
}
