package cacmd

import (
	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/client"
)

func newFederationCmd() *cobra.Command {
	return certListCmd(&cobra.Command{
		Use:   "federation [FILE]",
		Short: "download the CA's roots and federated roots",
		Long: `Download the certificates the CA trusts (GET /federation: its roots and the
federated roots of ca.json) and write them, PEM concatenated, to FILE (0600), or print
them when FILE is left out.`,
		Example: `  stride ca federation
  stride ca federation federation.pem
  stride ca federation --format json   # [{"subject":…,"fingerprint":…,"pem":…}]`,
	}, (*client.Client).Federation, "federated certificates have")
}
