package certcmd

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
)

func newKeyCmd() *cobra.Command {
	var out string
	var force bool
	cmd := &cobra.Command{
		Use:   "key CRT_FILE|CSR_FILE",
		Short: "print the public key of a certificate or CSR",
		Long: `Print the public key of a certificate or certificate request as a PEM
"PUBLIC KEY" (PKIX). For a bundle only the first certificate is used. With
--out the key is written to a file instead (mode 0600, as step does).`,
		Example: `  stride certificate key leaf.crt
  stride certificate key request.csr --out leaf.pub`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			in, err := readInput(args[0])
			if err != nil {
				return err
			}
			spki := in.csrOrLeafSPKI()
			data := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: spki})
			if out == "" {
				_, err := cmd.OutOrStdout().Write(data)
				return err
			}
			if err := cmdutil.CheckNotExists(out, force); err != nil {
				return err
			}
			if err := cmdutil.WriteFile(out, data, 0o600); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "The public key has been saved in %s.\n", out)
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "write the public key to this file")
	cmd.Flags().StringVar(&out, "output-file", "", "alias of --out")
	cmd.Flags().BoolVarP(&force, "force", "f", false, "overwrite --out if it exists")
	_ = cmd.Flags().MarkHidden("output-file")
	return cmd
}

// csrOrLeafSPKI is the DER SubjectPublicKeyInfo of the CSR or first certificate.
func (in *input) csrOrLeafSPKI() []byte {
	if in.csr != nil {
		return in.csr.RawSubjectPublicKeyInfo
	}
	return leafOf(in.certs).RawSubjectPublicKeyInfo
}

func leafOf(certs []*x509.Certificate) *x509.Certificate { return certs[0] }
