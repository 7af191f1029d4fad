package contextcmd

import (
	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
)

func newRemoveCmd() *cobra.Command { return cmdutil.Stub("remove NAME", "remove a context") }
