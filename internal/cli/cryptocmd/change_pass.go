package cryptocmd

import (
	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
	"github.com/stride-pki/stride/internal/jose"
	"github.com/stride-pki/stride/internal/pemutil"
)

type changePassOptions struct {
	passwordFile, newPasswordFile, out string
	noPassword, insecure, force        bool
}

func newChangePassCmd() *cobra.Command {
	var o changePassOptions
	cmd := &cobra.Command{
		Use:   "change-pass KEY_FILE",
		Short: "change the password of an encrypted private key (PEM or JWK)",
		Long: `Decrypt a private key and encrypt it again with a new password. PEM keys
(PKCS#8 encrypted, or the legacy "Proc-Type: 4,ENCRYPTED" form) are written
as PKCS#8 PBES2; JWKs encrypted as a JWE are written as a JWE again. The
key file is replaced unless --out names another file.`,
		Example: `  stride crypto change-pass key.pem --force
  stride crypto change-pass key.pem --out new.pem --password-file old.txt --new-password-file new.txt
  stride crypto change-pass key.json --no-password --insecure --force`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runChangePass(cmd, &o, args[0])
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&o.passwordFile, "password-file", "", "`file` with the current password")
	fs.StringVar(&o.newPasswordFile, "new-password-file", "", "`file` with the new password")
	fs.StringVarP(&o.out, "out", "o", "", "write the key to this `file` instead of replacing KEY_FILE")
	alias(fs, "out", "output-file")
	fs.BoolVar(&o.noPassword, "no-password", false, "write the key unencrypted (requires --insecure)")
	fs.BoolVar(&o.insecure, "insecure", false, "allow --no-password")
	fs.BoolVarP(&o.force, "force", "f", false, "overwrite the output file")
	return cmd
}

func runChangePass(cmd *cobra.Command, o *changePassOptions, keyFile string) error {
	out := o.out
	if out == "" {
		out = keyFile
	}
	if err := checkOutputs(cmd, o.force, out); err != nil {
		return err
	}
	jwk, form, err := readKeyFile(keyFile, passwordSource(cmd, o.passwordFile, keyFile, false))
	if err != nil {
		return err
	}
	if jwk.IsPublic() {
		return cmdutil.Usagef("%s holds no private key", keyFile)
	}
	password, err := newPassword(cmd, o.newPasswordFile, "new-password-file", o.noPassword, o.insecure)
	if err != nil {
		return err
	}
	data, err := encodeKeyAs(jwk, form, password)
	if err != nil {
		return err
	}
	if err := cmdutil.WriteFile(out, data, 0o600); err != nil {
		return err
	}
	saved(cmd, "key", out)
	return nil
}

// encodeKeyAs writes a private key back in the form it was read from: PEM
// stays PEM, a JWK becomes a JWE (or a plain JWK without a password).
func encodeKeyAs(jwk *jose.JSONWebKey, form keyForm, password []byte) ([]byte, error) {
	if form == formPEM {
		signer, err := jose.Signer(jwk)
		if err != nil {
			return nil, err
		}
		return pemutil.EncodePrivateKey(signer, password)
	}
	if len(password) == 0 {
		return marshalJWK(jwk)
	}
	b, err := jose.EncryptJWKJSON(jwk, password)
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
