package certcmd

import (
	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
)

func newKeyCmd() *cobra.Command {
	return cmdutil.Stub("key CRT_FILE", "print the public key of a certificate or CSR")
}
