package cacmd

import (
	"crypto/x509"

	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
	"github.com/stride-pki/stride/internal/client"
	"github.com/stride-pki/stride/internal/pemutil"
)

// certJSON is how `ca root|roots|federation --format json` show a
// certificate: enough to pick one by subject or fingerprint, and its PEM to
// save.
type certJSON struct {
	Subject     string `json:"subject"`
	Fingerprint string `json:"fingerprint"` // hex SHA-256 of the DER, as `certificate fingerprint`
	PEM         string `json:"pem"`
}

func toCertJSON(c *x509.Certificate) certJSON {
	return certJSON{Subject: c.Subject.String(), Fingerprint: client.Fingerprint(c), PEM: string(pemutil.EncodeCertificates(c))}
}

// checkCertFormat parses --format for the certificate downloads: JSON goes to
// stdout only, a FILE always gets PEM.
func checkCertFormat(format, file string) (bool, error) {
	asJSON, err := cmdutil.WantJSON(format)
	if err == nil && asJSON && file != "" {
		err = cmdutil.Usagef("--format json prints on stdout: leave out FILE (%s), which is always written as PEM", file)
	}
	return asJSON, err
}

// printCertsJSON prints a JSON array of certJSON, or with one a single object.
func printCertsJSON(cmd *cobra.Command, single bool, certs ...*x509.Certificate) error {
	if single && len(certs) == 1 {
		return cmdutil.PrintJSON(cmd.OutOrStdout(), toCertJSON(certs[0]))
	}
	list := make([]certJSON, 0, len(certs))
	for _, c := range certs {
		list = append(list, toCertJSON(c))
	}
	return cmdutil.PrintJSON(cmd.OutOrStdout(), list)
}
