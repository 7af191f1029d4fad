package cryptocmd

import (
	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
)

func newJWKThumbprintCmd() *cobra.Command {
	return cmdutil.Stub("thumbprint", "print the RFC 7638 thumbprint of a JWK")
}
