package certcmd

import (
	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
)

func newSignCmd() *cobra.Command {
	return cmdutil.Stub("sign CSR_FILE CRT_FILE KEY_FILE", "sign a CSR offline with a CA key")
}
