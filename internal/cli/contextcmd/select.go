package contextcmd

import (
	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/config"
)

func newSelectCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "select NAME",
		Short:   "make NAME the current context (written to current-context.json)",
		Example: `  stride context select prod`,
		Args:    cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			return config.SelectContext(base(), args[0])
		},
	}
}
