package cryptocmd

import (
	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
)

func newJWKCreateCmd() *cobra.Command {
	return cmdutil.Stub("create PUB_FILE PRIV_FILE", "create a JWK pair")
}
