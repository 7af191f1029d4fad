// Package cryptocmd holds `stride crypto …`: key pairs, JWK, JWE and JWT tools.
package cryptocmd

import "github.com/spf13/cobra"

// New returns the `crypto` command group.
func New() *cobra.Command {
	cmd := &cobra.Command{Use: "crypto", Short: "key pairs, passwords, JWK, JWE and JWT"}
	jwk := &cobra.Command{Use: "jwk", Short: "create and read JSON Web Keys"}
	jwk.AddCommand(newJWKCreateCmd(), newJWKPublicCmd(), newJWKThumbprintCmd())
	jwe := &cobra.Command{Use: "jwe", Short: "encrypt and decrypt JSON Web Encryption"}
	jwe.AddCommand(newJWEEncryptCmd(), newJWEDecryptCmd())
	jwt := &cobra.Command{Use: "jwt", Short: "sign, verify and inspect JSON Web Tokens"}
	jwt.AddCommand(newJWTSignCmd(), newJWTVerifyCmd(), newJWTInspectCmd())
	cmd.AddCommand(newKeypairCmd(), newChangePassCmd(), jwk, jwe, jwt)
	return cmd
}
