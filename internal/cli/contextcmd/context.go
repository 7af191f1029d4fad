// Package contextcmd holds `stride context …`: named authorities in one $STRIDEPATH.
package contextcmd

import (
	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
)

// New returns the `context` command group.
func New() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "context",
		Short: "list, select and remove contexts (several CAs in one $STRIDEPATH)",
		// These commands repair contexts, so they must run even when the
		// current context is broken: skip the root hook that resolves it
		// and loads its defaults.json.
		PersistentPreRunE: func(*cobra.Command, []string) error { return nil },
	}
	cmd.AddCommand(newListCmd(), newCurrentCmd(), newSelectCmd(), newRemoveCmd())
	return cmd
}

// base is the $STRIDEPATH the contexts live in.
func base() string { return cmdutil.BasePath() }
