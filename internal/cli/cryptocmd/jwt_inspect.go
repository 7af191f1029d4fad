package cryptocmd

import (
	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
)

func newJWTInspectCmd() *cobra.Command {
	return cmdutil.Stub("inspect", "print a JWT's header and payload without verifying")
}
