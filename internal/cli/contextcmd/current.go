package contextcmd

import (
	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
)

func newCurrentCmd() *cobra.Command { return cmdutil.Stub("current", "print the current context") }
