// Package cacmd holds `stride ca …`: the commands that create or drive a CA.
package cacmd

import (
	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/acmecmd"
	"github.com/stride-pki/stride/internal/cli/dbcmd"
	"github.com/stride-pki/stride/internal/cli/inventorycmd"
	"github.com/stride-pki/stride/internal/cli/stepimportcmd"
)

// New returns the `ca` command group.
func New() *cobra.Command {
	cmd := &cobra.Command{Use: "ca", Short: "initialize and drive a certificate authority"}
	cmd.AddCommand(
		newInitCmd(),
		newBootstrapCmd(),
		newHealthCmd(),
		newRootCmd(),
		newRootsCmd(),
		newFederationCmd(),
		newTokenCmd(),
		newCertificateCmd(),
		newSignCmd(),
		newRenewCmd(), newRekeyCmd(), newRevokeCmd(),
		newProvisionerCmd(),
		inventorycmd.New(),
		dbcmd.New(),
		acmecmd.New(),
		stepimportcmd.New(),
	)
	return cmd
}
