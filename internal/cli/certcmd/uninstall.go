package certcmd

import (
	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
)

func newUninstallCmd() *cobra.Command {
	return cmdutil.Stub("uninstall CRT_FILE", "remove a root from the system trust store")
}
