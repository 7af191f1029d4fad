package certcmd

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"io"

	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
)

type inspectOptions struct {
	format string
	short  bool
	bundle bool
	remote remoteFlags
}

func newInspectCmd() *cobra.Command {
	var o inspectOptions
	cmd := &cobra.Command{
		Use:   "inspect FILE|URL",
		Short: "print a certificate, CSR or bundle in human or JSON form",
		Long: `Print the contents of a certificate, a certificate request (CSR) or a bundle.

FILE may be PEM (all certificates of a bundle are read) or DER. An https://
URL inspects the certificate a live TLS server presents, verified against
--roots (default: the system trust store) unless --insecure is given.

--format json prints the same fields as step's JSON; --short prints a summary.
Without --bundle only the first certificate is printed.`,
		Example: `  stride certificate inspect leaf.crt
  stride certificate inspect --short --bundle chain.crt
  stride certificate inspect --format json leaf.crt | jq .subject_dn
  stride certificate inspect --format pem cert.der > cert.pem
  stride certificate inspect https://ca.internal:9000 --roots root_ca.crt --bundle`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runInspect(cmd, args[0], o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.format, "format", "text", "output format: text, json or pem")
	f.BoolVar(&o.short, "short", false, "print a short summary (text format only)")
	f.BoolVar(&o.bundle, "bundle", false, "print every certificate of the file or of the server's chain")
	o.remote.register(cmd, true)
	return cmd
}

func runInspect(cmd *cobra.Command, arg string, o inspectOptions) error {
	switch o.format {
	case "text", "json", "pem":
	default:
		return cmdutil.Usagef("invalid value %q for --format: use text, json or pem", o.format)
	}
	if o.short && o.format != "text" {
		return cmdutil.Usagef("--short only applies to --format text")
	}
	in, err := loadArg(cmd, arg, o.remote)
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	if in.csr != nil {
		return inspectCSR(out, in, o)
	}
	certs := in.certs
	if !o.bundle {
		certs = certs[:1]
	}
	switch o.format {
	case "json":
		views := make([]*certJSON, len(certs))
		for i, c := range certs {
			views[i] = toCertJSON(c)
		}
		if o.bundle {
			return writeJSON(out, views)
		}
		return writeJSON(out, views[0])
	case "pem":
		for _, c := range certs {
			if err := pem.Encode(out, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}); err != nil {
				return err
			}
		}
	default:
		for _, c := range certs {
			if o.short {
				writeCertShort(out, c)
			} else {
				writeCertText(out, c)
			}
		}
	}
	return nil
}

func inspectCSR(out io.Writer, in *input, o inspectOptions) error {
	switch {
	case o.format == "json":
		return writeJSON(out, toCSRJSON(in.csr))
	case o.format == "pem":
		return pem.Encode(out, &pem.Block{Type: "CERTIFICATE REQUEST", Bytes: in.csr.Raw})
	case o.short:
		writeCSRShort(out, in.csr)
	default:
		writeCSRText(out, in.csr)
	}
	return nil
}

// writeJSON prints v indented by two spaces, as step does.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// ctxOf returns the command's context, or a background one when the command
// runs outside ExecuteContext (tests).
func ctxOf(cmd *cobra.Command) context.Context {
	if ctx := cmd.Context(); ctx != nil {
		return ctx
	}
	return context.Background()
}
