package cacmd

import (
	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
)

func newInitCmd() *cobra.Command {
	return cmdutil.Stub("init", "initialize a PKI: root, intermediate, provisioner and ca.json")
}
