package cryptocmd

import (
	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
)

func newJWTVerifyCmd() *cobra.Command { return cmdutil.Stub("verify", "verify a JWT from stdin") }
