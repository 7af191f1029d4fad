// Package contextcmd holds `stride context …`: named authorities in one $STRIDEPATH.
package contextcmd

import "github.com/spf13/cobra"

// New returns the `context` command group.
func New() *cobra.Command {
	cmd := &cobra.Command{Use: "context", Short: "list, select and remove contexts (several CAs in one $STRIDEPATH)"}
	cmd.AddCommand(newListCmd(), newCurrentCmd(), newSelectCmd(), newRemoveCmd())
	return cmd
}
