package certcmd

import (
	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
)

func newInstallCmd() *cobra.Command {
	return cmdutil.Stub("install CRT_FILE", "install a root into the system trust store")
}
