package certcmd

import (
	"bytes"
	"encoding/pem"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
)

func newBundleCmd() *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "bundle CRT_FILE CA_FILE BUNDLE_FILE",
		Short: "bundle a certificate with its issuers",
		Long: `Write BUNDLE_FILE: the certificate(s) of CRT_FILE followed by those of
CA_FILE, as PEM, so servers can present the whole chain. Refuses to overwrite
BUNDLE_FILE unless --force.`,
		Example: `  stride certificate bundle leaf.crt intermediate_ca.crt leaf-chain.crt`,
		Args:    cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			crtFile, caFile, bundleFile := args[0], args[1], args[2]
			leaf, err := readCerts(crtFile)
			if err != nil {
				return err
			}
			cas, err := readCerts(caFile)
			if err != nil {
				return err
			}
			if err := cmdutil.CheckNotExists(bundleFile, force); err != nil {
				return err
			}
			var buf bytes.Buffer
			for _, c := range append(leaf, cas...) {
				_ = pem.Encode(&buf, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
			}
			if err := cmdutil.WriteFile(bundleFile, buf.Bytes(), 0o600); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "Your certificate has been saved in %s.\n", bundleFile)
			return nil
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "overwrite BUNDLE_FILE if it exists")
	return cmd
}
