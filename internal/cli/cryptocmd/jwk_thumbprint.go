package cryptocmd

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/jose"
)

func newJWKThumbprintCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "thumbprint",
		Short: "print the RFC 7638 thumbprint of a JWK read on stdin",
		Long: `Read a JWK on standard input and print its RFC 7638 thumbprint (SHA-256,
base64url without padding), the value step and stride use as a key's kid.`,
		Example: `  cat pub.json | stride crypto jwk thumbprint`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			jwk, err := readStdinJWK(cmd)
			if err != nil {
				return err
			}
			tp, err := jose.Thumbprint(jose.Public(jwk))
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), tp)
			return nil
		},
	}
}
