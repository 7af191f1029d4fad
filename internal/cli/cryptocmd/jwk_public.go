package cryptocmd

import (
	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
)

func newJWKPublicCmd() *cobra.Command {
	return cmdutil.Stub("public", "print the public JWK of a private JWK")
}
