package certcmd

import (
	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
)

func newNeedsRenewalCmd() *cobra.Command {
	return cmdutil.Stub("needs-renewal CRT_FILE", "exit 0 when a certificate needs renewal")
}
