package cryptocmd

import (
	"bytes"

	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
	"github.com/stride-pki/stride/internal/jose"
)

func newJWKPublicCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "public",
		Short: "print the public JWK of a JWK read on stdin",
		Long: `Read a JWK (private or public) on standard input and print its public half,
keeping kid, use and alg.`,
		Example: `  cat priv.json | stride crypto jwk public`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			jwk, err := readStdinJWK(cmd)
			if err != nil {
				return err
			}
			b, err := marshalJWK(jose.Public(jwk))
			if err != nil {
				return err
			}
			_, err = cmd.OutOrStdout().Write(b)
			return err
		},
	}
}

// readStdinJWK parses the JWK on stdin; an encrypted one (JWE) is opened
// with a password asked on the terminal.
func readStdinJWK(cmd *cobra.Command) (*jose.JSONWebKey, error) {
	data, err := readStdin(cmd.InOrStdin())
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, cmdutil.Usagef("no JWK on standard input")
	}
	jwk, _, err := parseKey(data, passwordSource(cmd, "", "the JWK", true))
	if err != nil {
		return nil, err
	}
	return jwk, nil
}
