package cryptocmd

import (
	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
)

func newKeypairCmd() *cobra.Command {
	return cmdutil.Stub("keypair PUB_FILE PRIV_FILE", "create a key pair")
}
