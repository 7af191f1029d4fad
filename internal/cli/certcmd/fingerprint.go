package certcmd

import (
	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
)

func newFingerprintCmd() *cobra.Command {
	return cmdutil.Stub("fingerprint FILE", "print a certificate's fingerprint")
}
