package cryptocmd

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"

	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
	"github.com/stride-pki/stride/internal/jose"
	"github.com/stride-pki/stride/internal/keys"
	"github.com/stride-pki/stride/internal/pemutil"
)

// keyFlags are the key-generation flags step shares across commands.
type keyFlags struct {
	kty, crv string
	size     int
}

func (k *keyFlags) register(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.StringVar(&k.kty, "kty", keys.DefaultKty, "key type: EC, OKP or RSA")
	fs.StringVar(&k.crv, "crv", "", "curve: P-256 (EC default), P-384, P-521, or Ed25519 (OKP)")
	alias(fs, "crv", "curve")
	fs.IntVar(&k.size, "size", keys.DefaultRSASize, "RSA key size in bits (minimum 2048)")
}

// generate creates the key. Like step, --insecure allows RSA keys smaller
// than keys.MinRSASize (down to the 1024 bits Go still generates).
func (k *keyFlags) generate(insecure bool) (crypto.Signer, error) {
	if k.kty != "EC" && k.kty != "OKP" && k.kty != "RSA" {
		return nil, cmdutil.Usagef("--kty %q is not supported: use EC, OKP or RSA", k.kty)
	}
	if k.kty == "RSA" && insecure && k.size < keys.MinRSASize && k.size >= 1024 {
		return rsa.GenerateKey(rand.Reader, k.size)
	}
	key, err := keys.Generate(k.kty, k.crv, k.size)
	if err != nil {
		return nil, cmdutil.Usagef("%v", err)
	}
	return key, nil
}

type keypairOptions struct {
	keyFlags
	fromJWK, passwordFile string
	noPassword, insecure  bool
	force                 bool
}

func newKeypairCmd() *cobra.Command {
	var o keypairOptions
	cmd := &cobra.Command{
		Use:   "keypair PUB_FILE PRIV_FILE",
		Short: "generate a public / private key pair in PEM format",
		Long: `Generate a key pair and write the public key (PEM "PUBLIC KEY") and the
private key. The private key is encrypted with a password (PKCS#8, PBES2)
unless --no-password --insecure is given; it is written with mode 0600.`,
		Example: `  stride crypto keypair foo.pub foo.key
  stride crypto keypair foo.pub foo.key --kty RSA --size 4096 --password-file pass.txt
  stride crypto keypair foo.pub foo.key --kty OKP --crv Ed25519
  stride crypto keypair foo.pub foo.key --no-password --insecure`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runKeypair(cmd, &o, args[0], args[1])
		},
	}
	o.register(cmd)
	fs := cmd.Flags()
	fs.StringVar(&o.fromJWK, "from-jwk", "", "write the key of this JWK `file` instead of creating one")
	fs.StringVar(&o.passwordFile, "password-file", "", "`file` with the password to encrypt (or, with --from-jwk, decrypt) the private key")
	fs.BoolVar(&o.noPassword, "no-password", false, "write the private key unencrypted (requires --insecure)")
	fs.BoolVar(&o.insecure, "insecure", false, "allow --no-password and RSA keys under 2048 bits")
	fs.BoolVarP(&o.force, "force", "f", false, "overwrite existing files")
	return cmd
}

func runKeypair(cmd *cobra.Command, o *keypairOptions, pubFile, privFile string) error {
	if err := checkOutputs(cmd, o.force, pubFile, privFile); err != nil {
		return err
	}
	key, err := keypairKey(cmd, o)
	if err != nil {
		return err
	}
	password, err := newPassword(cmd, o.passwordFile, "password-file", o.noPassword, o.insecure)
	if err != nil {
		return err
	}
	pubPEM, err := pemutil.EncodePublicKey(key.Public())
	if err != nil {
		return err
	}
	privPEM, err := pemutil.EncodePrivateKey(key, password)
	if err != nil {
		return err
	}
	if err := cmdutil.WriteFile(pubFile, pubPEM, 0o644); err != nil {
		return err
	}
	if err := cmdutil.WriteFile(privFile, privPEM, 0o600); err != nil {
		return err
	}
	saved(cmd, "public key", pubFile)
	saved(cmd, "private key", privFile)
	return nil
}

// keypairKey generates the key, or reads it from --from-jwk.
func keypairKey(cmd *cobra.Command, o *keypairOptions) (crypto.Signer, error) {
	if o.fromJWK == "" {
		return o.generate(o.insecure)
	}
	jwk, _, err := readKeyFile(o.fromJWK, passwordSource(cmd, o.passwordFile, o.fromJWK, false))
	if err != nil {
		return nil, err
	}
	if jwk.IsPublic() {
		return nil, cmdutil.Usagef("%s holds a public key: --from-jwk needs a private JWK", o.fromJWK)
	}
	return jose.Signer(jwk)
}
