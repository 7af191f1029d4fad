package cryptocmd

import (
	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
)

func newJWEEncryptCmd() *cobra.Command { return cmdutil.Stub("encrypt", "encrypt stdin into a JWE") }
