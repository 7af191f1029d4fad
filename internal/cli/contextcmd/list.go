package contextcmd

import (
	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
)

func newListCmd() *cobra.Command { return cmdutil.Stub("list", "list the contexts") }
