package certcmd

import (
	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
)

func newLintCmd() *cobra.Command {
	return cmdutil.Stub("lint CRT_FILE", "lint a certificate with zlint")
}
