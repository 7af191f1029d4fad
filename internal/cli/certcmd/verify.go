package certcmd

import (
	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
)

func newVerifyCmd() *cobra.Command {
	return cmdutil.Stub("verify CRT_FILE", "verify a certificate chain")
}
