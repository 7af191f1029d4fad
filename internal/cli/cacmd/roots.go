package cacmd

import (
	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/client"
)

func newRootsCmd() *cobra.Command {
	return certListCmd(&cobra.Command{
		Use:   "roots [FILE]",
		Short: "download every root certificate of the CA",
		Long: `Download the CA's root certificates (GET /roots) and write them, PEM
concatenated, to FILE (0600), or print them when FILE is left out.`,
		Example: `  stride ca roots
  stride ca roots roots.pem --force
  stride ca roots --format json   # [{"subject":…,"fingerprint":…,"pem":…}]`,
	}, (*client.Client).Roots, "root certificates have")
}
