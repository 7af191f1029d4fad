package cryptocmd

import (
	"bytes"

	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
	"github.com/stride-pki/stride/internal/jose"
)

type jweDecryptOptions struct {
	key, jwks, kid, passwordFile string
}

func newJWEDecryptCmd() *cobra.Command {
	var o jweDecryptOptions
	cmd := &cobra.Command{
		Use:   "decrypt",
		Short: "decrypt a JWE read on stdin",
		Long: `Read a JWE (compact or JSON serialization) on standard input and print the
plaintext. The key is a private JWK (possibly itself encrypted), a PEM
private key (--key, or --jwks with --kid), or, for a password-encrypted
(PBES2) JWE, the password in --password-file. With --key, --password-file
decrypts the key file.`,
		Example: `  stride crypto jwe decrypt --key enc.json --password-file key-pass.txt < message.json
  stride crypto jwe decrypt --password-file pass.txt < message.json
  stride crypto jwe decrypt --password-file pass.txt < priv.json | stride crypto jwk public`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runJWEDecrypt(cmd, &o)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&o.key, "key", "", "`file` with the private key (JWK, JWE-encrypted JWK or PEM)")
	fs.StringVar(&o.jwks, "jwks", "", "JWK Set `file` holding the private key (needs --kid)")
	fs.StringVar(&o.kid, "kid", "", "the private key's kid")
	fs.StringVar(&o.passwordFile, "password-file", "", "`file` with the password of the key file, or of the JWE when no key is given")
	return cmd
}

func runJWEDecrypt(cmd *cobra.Command, o *jweDecryptOptions) error {
	jwk, _, err := recipientKey(o.key, o.jwks, o.kid, passwordSource(cmd, o.passwordFile, "the key", true))
	if err != nil {
		return err
	}
	in, err := readStdin(cmd.InOrStdin())
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(in)) == 0 {
		return cmdutil.Usagef("no JWE on standard input")
	}
	var plain []byte
	if jwk == nil {
		pw, err := passwordSource(cmd, o.passwordFile, "the JWE", true)()
		if err != nil {
			return err
		}
		plain, err = jose.DecryptWithPassword(string(in), pw)
		if err != nil {
			return err
		}
	} else if plain, err = jose.DecryptWithKey(string(in), jwk); err != nil {
		return err
	}
	_, err = cmd.OutOrStdout().Write(plain)
	return err
}
