package cryptocmd

import (
	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
)

func newJWTSignCmd() *cobra.Command { return cmdutil.Stub("sign", "sign a JWT") }
