package cacmd

import (
	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
)

func newRootCmd() *cobra.Command {
	var conn connFlags
	var fingerprint string
	var force bool
	var format string
	cmd := &cobra.Command{
		Use:   "root [FILE]",
		Short: "download the CA's root certificate",
		Long: `Download the root certificate whose SHA-256 is --fingerprint (default: the
fingerprint of defaults.json) with GET /root/<fingerprint>, check the fingerprint, and
write it to FILE (0600), or print it as PEM when FILE is left out.`,
		Example: `  stride ca root root_ca.crt
  stride ca root --fingerprint 4e0b1c…d1a2 --ca-url https://ca.internal:9000 --root old_root.crt
  stride ca root --format json   # {"subject":…,"fingerprint":…,"pem":…}`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			asJSON, err := checkCertFormat(format, argOr(args, 0))
			if err != nil {
				return err
			}
			if fingerprint == "" {
				return cmdutil.Usagef("pass --fingerprint, or run `stride ca bootstrap` first")
			}
			c, err := conn.client(cmd)
			if err != nil {
				return err
			}
			root, err := c.Root(ctxOf(cmd), fingerprint)
			if err != nil {
				return err
			}
			if asJSON {
				return printCertsJSON(cmd, true, root)
			}
			return writeOrPrintCerts(cmd, argOr(args, 0), force, "root certificate has", root)
		},
	}
	conn.register(cmd)
	cmd.Flags().StringVar(&fingerprint, "fingerprint", "", "the hex SHA-256 `fingerprint` of the root to download")
	cmd.Flags().BoolVarP(&force, "force", "f", false, "overwrite FILE if it exists")
	cmdutil.FormatFlag(cmd, &format)
	return cmd
}

func argOr(args []string, i int) string {
	if i < len(args) {
		return args[i]
	}
	return ""
}
