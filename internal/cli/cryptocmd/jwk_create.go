package cryptocmd

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"slices"

	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
	"github.com/stride-pki/stride/internal/jose"
)

type jwkCreateOptions struct {
	keyFlags
	alg, use, kid, fromPEM, passwordFile string
	noPassword, insecure, subtle, force  bool
}

func newJWKCreateCmd() *cobra.Command {
	var o jwkCreateOptions
	cmd := &cobra.Command{
		Use:   "create PUB_FILE PRIV_FILE",
		Short: "create a JWK (JSON Web Key)",
		Long: `Create a key, or take one from --from-pem, and write its public JWK and its
private JWK. The private JWK is encrypted with a password as a JWE (JSON
serialization, PBES2-HS256+A128KW and A256GCM, as step writes it) unless
--no-password --insecure is given. The kid is the RFC 7638 thumbprint unless
--kid sets one.`,
		Example: `  stride crypto jwk create jwk.pub.json jwk.json
  stride crypto jwk create rsa.pub.json rsa.json --kty RSA --size 4096
  stride crypto jwk create enc.pub.json enc.json --use enc
  stride crypto jwk create jwk.pub.json jwk.json --from-pem key.pem --password-file pass.txt`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runJWKCreate(cmd, &o, args[0], args[1])
		},
	}
	o.register(cmd)
	fs := cmd.Flags()
	alias(fs, "kty", "type")
	fs.StringVar(&o.alg, "alg", "", "the JWK's `algorithm` (default by use and key type: ES256, EdDSA, RS256; ECDH-ES, RSA-OAEP-256)")
	alias(fs, "alg", "algorithm")
	fs.StringVar(&o.use, "use", "sig", "the key's use: sig or enc")
	fs.StringVar(&o.kid, "kid", "", "the key ID (default: the RFC 7638 thumbprint)")
	fs.StringVar(&o.fromPEM, "from-pem", "", "make the JWK from the private key in this PEM `file`")
	fs.StringVar(&o.passwordFile, "password-file", "", "`file` with the password to encrypt the private JWK (and decrypt --from-pem)")
	fs.BoolVar(&o.noPassword, "no-password", false, "write the private JWK unencrypted (requires --insecure)")
	fs.BoolVar(&o.insecure, "insecure", false, "allow --no-password and RSA keys under 2048 bits")
	fs.BoolVar(&o.subtle, "subtle", false, "allow delicate operations")
	fs.BoolVarP(&o.force, "force", "f", false, "overwrite existing files")
	return cmd
}

func runJWKCreate(cmd *cobra.Command, o *jwkCreateOptions, pubFile, privFile string) error {
	if o.use != "sig" && o.use != "enc" {
		return cmdutil.Usagef("--use %q is not supported: use sig or enc", o.use)
	}
	if err := checkOutputs(cmd, o.force, pubFile, privFile); err != nil {
		return err
	}
	key, err := jwkCreateKey(cmd, o)
	if err != nil {
		return err
	}
	jwk, err := buildJWK(key, o.use, o.alg, o.kid)
	if err != nil {
		return err
	}
	password, err := newPassword(cmd, o.passwordFile, "password-file", o.noPassword, o.insecure)
	if err != nil {
		return err
	}
	pub, err := marshalJWK(jose.Public(jwk))
	if err != nil {
		return err
	}
	priv, err := encodeKeyAs(jwk, formJWE, password)
	if err != nil {
		return err
	}
	if err := cmdutil.WriteFile(pubFile, pub, 0o644); err != nil {
		return err
	}
	if err := cmdutil.WriteFile(privFile, priv, 0o600); err != nil {
		return err
	}
	saved(cmd, "public key", pubFile)
	saved(cmd, "private key", privFile)
	return nil
}

// jwkCreateKey generates the key or reads it from --from-pem.
func jwkCreateKey(cmd *cobra.Command, o *jwkCreateOptions) (crypto.Signer, error) {
	if o.fromPEM == "" {
		return o.generate(o.insecure)
	}
	jwk, _, err := readKeyFile(o.fromPEM, passwordSource(cmd, o.passwordFile, o.fromPEM, false))
	if err != nil {
		return nil, err
	}
	if jwk.IsPublic() {
		return nil, cmdutil.Usagef("%s holds no private key", o.fromPEM)
	}
	return jose.Signer(jwk)
}

// buildJWK makes the private JWK with its use, alg (checked against the key
// type) and kid.
func buildJWK(key crypto.Signer, use, alg, kid string) (*jose.JSONWebKey, error) {
	algs := algorithmsFor(key.Public(), use)
	if len(algs) == 0 {
		return nil, cmdutil.Usagef("a %s key cannot be used with --use %s", keyType(key.Public()), use)
	}
	if alg == "" {
		alg = algs[0]
	} else if !slices.Contains(algs, alg) {
		return nil, cmdutil.Usagef("--alg %s does not fit a %s key with --use %s", alg, keyType(key.Public()), use)
	}
	jwk := &jose.JSONWebKey{Key: key, Use: use, Algorithm: alg, KeyID: kid}
	if kid == "" {
		tp, err := jose.Thumbprint(jwk)
		if err != nil {
			return nil, err
		}
		jwk.KeyID = tp
	}
	return jwk, nil
}

// algorithmsFor lists the algorithms a key may carry for a use, the default first.
func algorithmsFor(pub crypto.PublicKey, use string) []string {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		if use == "enc" {
			return []string{"ECDH-ES", "ECDH-ES+A128KW", "ECDH-ES+A192KW", "ECDH-ES+A256KW"}
		}
		alg, _ := jose.SignatureAlgorithm(k)
		return []string{alg}
	case *rsa.PublicKey:
		if use == "enc" {
			return []string{"RSA-OAEP-256", "RSA-OAEP", "RSA1_5"}
		}
		return []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"}
	case ed25519.PublicKey:
		if use == "sig" {
			return []string{"EdDSA"}
		}
	}
	return nil
}

func keyType(pub crypto.PublicKey) string {
	switch pub.(type) {
	case *ecdsa.PublicKey:
		return "EC"
	case *rsa.PublicKey:
		return "RSA"
	case ed25519.PublicKey:
		return "OKP"
	}
	return "unknown"
}
