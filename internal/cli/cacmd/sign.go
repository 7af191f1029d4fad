package cacmd

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
	"github.com/stride-pki/stride/internal/pemutil"
)

func newSignCmd() *cobra.Command {
	var f signFlags
	cmd := &cobra.Command{
		Use:   "sign CSR_FILE CRT_FILE",
		Short: "get a certificate from the CA for an existing CSR",
		Long: `Ask the CA to sign CSR_FILE (POST /sign) and write the chain (leaf, then
intermediates) to CRT_FILE (0600). The token is minted for the CSR's common name and
SANs (or given with --token), for a JWK provisioner or, with --x5c-cert/--x5c-key,
an X5C one.`,
		Example: `  stride ca sign foo.csr foo.crt --provisioner-password-file pw.txt
  stride ca sign foo.csr foo.crt --not-after 1h --token "$(stride ca token foo.example.com --password-file pw.txt)"`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSign(cmd, &f, args[0], args[1])
		},
	}
	f.register(cmd)
	return cmd
}

func runSign(cmd *cobra.Command, f *signFlags, csrFile, crtFile string) error {
	if err := f.check(); err != nil {
		return err
	}
	if err := cmdutil.CheckNotExists(crtFile, f.force); err != nil {
		return err
	}
	csr, err := pemutil.ReadCSR(csrFile)
	if err != nil {
		return err
	}
	sans := csrNames(csr)
	subject := csr.Subject.CommonName
	if subject == "" && len(sans) > 0 {
		subject = sans[0]
	}
	if subject == "" {
		return fmt.Errorf("%s has neither a common name nor SANs", csrFile)
	}
	if len(sans) == 0 {
		sans = []string{subject}
	}
	chain, err := f.sign(cmd, csr, subject, sans)
	if err != nil {
		return err
	}
	if err := cmdutil.WriteFile(crtFile, pemutil.EncodeCertificates(chain...), 0o600); err != nil {
		return err
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "✔ Certificate: %s\n", crtFile)
	return nil
}
