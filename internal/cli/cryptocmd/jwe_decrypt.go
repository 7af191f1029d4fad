package cryptocmd

import (
	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
)

func newJWEDecryptCmd() *cobra.Command { return cmdutil.Stub("decrypt", "decrypt a JWE from stdin") }
