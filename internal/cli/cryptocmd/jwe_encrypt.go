package cryptocmd

import (
	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
	"github.com/stride-pki/stride/internal/jose"
)

type jweEncryptOptions struct {
	key, jwks, kid, passwordFile string
	alg, enc, typ, cty           string
	subtle                       bool
}

func newJWEEncryptCmd() *cobra.Command {
	var o jweEncryptOptions
	cmd := &cobra.Command{
		Use:   "encrypt",
		Short: "encrypt stdin to a JWE (JSON Web Encryption)",
		Long: `Encrypt standard input and print the JWE in the JSON serialization. The
recipient is a public JWK or PEM public key (--key, or --jwks with --kid);
without one the content key is wrapped with a password (PBES2).`,
		Example: `  echo 'the message' | stride crypto jwe encrypt --key enc.pub.json > message.json
  echo 'the message' | stride crypto jwe encrypt --key rsa.pub --alg RSA-OAEP-256 --enc A128GCM
  echo 'the message' | stride crypto jwe encrypt --password-file pass.txt`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runJWEEncrypt(cmd, &o)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&o.key, "key", "", "`file` with the recipient's public key (JWK or PEM)")
	fs.StringVar(&o.jwks, "jwks", "", "JWK Set `file` holding the recipient's key (needs --kid)")
	fs.StringVar(&o.kid, "kid", "", "the recipient key's kid")
	fs.StringVar(&o.passwordFile, "password-file", "", "`file` with the password to encrypt with (PBES2) when no key is given")
	fs.StringVar(&o.alg, "alg", "", "key-management `algorithm` (default: the JWK's, ECDH-ES for EC, RSA-OAEP-256 for RSA, PBES2-HS256+A128KW for passwords)")
	alias(fs, "alg", "algorithm")
	fs.StringVar(&o.enc, "enc", "A256GCM", "content-encryption `algorithm`")
	alias(fs, "enc", "encryption-algorithm")
	fs.StringVar(&o.typ, "typ", "", "the JWE's typ header")
	alias(fs, "typ", "type")
	fs.StringVar(&o.cty, "cty", "", "the JWE's cty header (the payload's media type)")
	alias(fs, "cty", "content-type")
	fs.BoolVar(&o.subtle, "subtle", false, "allow an --alg that differs from the JWK's")
	return cmd
}

func runJWEEncrypt(cmd *cobra.Command, o *jweEncryptOptions) error {
	jwk, form, err := recipientKey(o.key, o.jwks, o.kid, passwordSource(cmd, "", "the key", true))
	if err != nil {
		return err
	}
	var key any
	switch {
	case jwk == nil:
		pw, err := askPassword(cmd, o.passwordFile, "encrypt", "the content encryption key", true)()
		if err != nil {
			return err
		}
		key = pw
	case form == formPEM:
		if key, err = jose.PublicKeyOf(jwk.Key); err != nil {
			key = jwk.Key
		}
	default:
		if o.alg != "" && jwk.Use == "enc" && jwk.Algorithm != "" && jwk.Algorithm != o.alg && !o.subtle {
			return cmdutil.Usagef("--alg %s differs from the JWK's alg %s; use --subtle to allow it", o.alg, jwk.Algorithm)
		}
		key = jose.Public(jwk)
	}
	plain, err := readStdin(cmd.InOrStdin())
	if err != nil {
		return err
	}
	out, err := jose.EncryptJSON(plain, key, jose.EncryptOptions{Alg: o.alg, Enc: o.enc, Typ: o.typ, Cty: o.cty})
	if err != nil {
		return err
	}
	_, err = cmd.OutOrStdout().Write(append(out, '\n'))
	return err
}
