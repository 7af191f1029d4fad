package certcmd

import (
	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
)

func newCreateCmd() *cobra.Command {
	return cmdutil.Stub("create SUBJECT CRT_FILE KEY_FILE", "create a certificate or CSR and its key")
}
