package inventorycmd

import (
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/admin"
	"github.com/stride-pki/stride/internal/cli/cmdutil"
)

func newShowCmd() *cobra.Command {
	var f storeFlags
	var format string
	cmd := &cobra.Command{
		Use:   "show SERIAL",
		Short: "show one issued certificate and its revocation",
		Long: `Show the certificate with SERIAL (decimal, or hex with 0x) from the CA's database:
what the inventory lists, then the certificate in PEM. --format json prints one object,
with the PEM in "pem".`,
		Example: `  stride ca certificates show 330592417618196421836427361651389187458
  stride ca certificates show 0x18ab… --format json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return cmdutil.Usagef("--format %q: use text or json", format)
			}
			inv, closer, err := f.open(cmd)
			if err != nil {
				return err
			}
			defer closer.Close()
			c, err := inv.Show(cmdutil.Context(cmd), args[0])
			if err != nil {
				return cmdutil.BadRequestAsUsage(err)
			}
			if format == "json" {
				return showJSON(cmd.OutOrStdout(), c)
			}
			return showText(cmd.OutOrStdout(), c)
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&format, "format", "text", "output `FORMAT`: text or json")
	return cmd
}

func certPEM(c *admin.CertificateInfo) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.DER}))
}

func showJSON(w io.Writer, c *admin.CertificateInfo) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		*admin.CertificateInfo
		PEM string `json:"pem"`
	}{c, certPEM(c)})
}

func showText(w io.Writer, c *admin.CertificateInfo) error {
	lines := [][2]string{
		{"Serial", c.Serial}, {"Subject", c.Subject}, {"SANs", strings.Join(c.SANs, ", ")},
		{"Not before", stamp(c.NotBefore)}, {"Not after", stamp(c.NotAfter)}, {"Issued at", stamp(c.IssuedAt)},
		{"Provisioner", c.Provisioner + " (" + c.ProvisionerType + ")"}, {"Status", string(c.Status)},
	}
	if c.RenewedFrom != "" {
		lines = append(lines, [2]string{"Renewed from", c.RenewedFrom})
	}
	if c.RevokedAt != nil {
		lines = append(lines, [2]string{"Revoked at", revokedAt(*c)},
			[2]string{"Reason", fmt.Sprintf("%s (code %d)", c.RevocationReason, *c.ReasonCode)})
	}
	for _, l := range lines {
		if _, err := fmt.Fprintf(w, "%-13s %s\n", l[0]+":", l[1]); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, certPEM(c))
	return err
}
