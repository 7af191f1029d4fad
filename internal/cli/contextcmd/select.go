package contextcmd

import (
	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
)

func newSelectCmd() *cobra.Command { return cmdutil.Stub("select NAME", "select the current context") }
