package certcmd

import (
	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
)

func newInspectCmd() *cobra.Command {
	return cmdutil.Stub("inspect FILE|URL", "print a certificate, CSR or bundle in human or JSON form")
}
