package inventorycmd

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/admin"
	"github.com/stride-pki/stride/internal/cli/cmdutil"
)

type listFlags struct {
	storeFlags
	q       admin.Query
	revoked bool
	format  string
}

func newListCmd() *cobra.Command {
	var f listFlags
	cmd := &cobra.Command{
		Use:   "list",
		Short: "list issued certificates, filtered",
		Long: `List the certificates the CA issued, in serial order, with their revocation status.
Filters combine (all must match). Every matching certificate is printed unless --limit
pages the output; the cursor of the next page is then printed to stderr.

--format json prints one array of objects with serial (decimal string), subject, sans,
notBefore, notAfter, issuedAt, provisioner, provisionerType, renewedFrom, status
(valid, expired or revoked) and revokedAt (null unless revoked).`,
		Example: `  stride ca certificates list --expiring-within 30d
  stride ca certificates list --san example.com --format json
  stride ca certificates list --revoked --format csv > revoked.csv
  stride ca certificates list --limit 100 --cursor 3305924…`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return f.run(cmd) },
	}
	f.register(cmd)
	fl := cmd.Flags()
	fl.StringVar(&f.q.ExpiringWithin, "expiring-within", "", "only unexpired certificates whose notAfter is within `DURATION` (30d, 12h)")
	fl.StringVar(&f.q.Provisioner, "provisioner", "", "only certificates the provisioner `NAME` authorized")
	fl.StringVar(&f.q.Subject, "subject", "", "only subjects containing `TEXT` (case-insensitive)")
	fl.StringVar(&f.q.SAN, "san", "", "only certificates with a SAN containing `TEXT` (case-insensitive)")
	fl.BoolVar(&f.revoked, "revoked", false, "only revoked certificates (--revoked=false: only unrevoked)")
	fl.StringVar(&f.q.IssuedAfter, "issued-after", "", "only certificates issued after `TIME` (RFC 3339, 2006-01-02, or a duration ago: 7d)")
	fl.IntVar(&f.q.Limit, "limit", 0, "print at most `N` certificates (0: all)")
	fl.StringVar(&f.q.Cursor, "cursor", "", "start after this `CURSOR` (printed by a previous --limit listing)")
	fl.StringVar(&f.format, "format", "table", "output `FORMAT`: table, json or csv")
	return cmd
}

func (f *listFlags) run(cmd *cobra.Command) error {
	write, ok := writers[f.format]
	if !ok {
		return cmdutil.Usagef("--format %q: use table, json or csv", f.format)
	}
	if cmd.Flags().Changed("revoked") {
		f.q.Revoked = &f.revoked
	}
	inv, closer, err := f.open(cmd)
	if err != nil {
		return err
	}
	defer closer.Close()
	page, err := inv.List(cmdutil.Context(cmd), f.q)
	if err != nil {
		return cmdutil.BadRequestAsUsage(err)
	}
	if err := write(cmd.OutOrStdout(), page.Certificates); err != nil {
		return err
	}
	if page.Next != "" {
		fmt.Fprintf(cmd.ErrOrStderr(), "more certificates follow: --cursor %s\n", page.Next)
	}
	return nil
}

var writers = map[string]func(io.Writer, []admin.CertificateInfo) error{
	"table": writeTable,
	"json":  writeJSON,
	"csv":   writeCSV,
}

func writeJSON(w io.Writer, certs []admin.CertificateInfo) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(certs)
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func revokedAt(c admin.CertificateInfo) string {
	if c.RevokedAt == nil {
		return ""
	}
	return stamp(*c.RevokedAt)
}

// csvHeader names the CSV columns, in the JSON's spelling.
var csvHeader = []string{"serial", "subject", "sans", "notBefore", "notAfter", "issuedAt",
	"provisioner", "provisionerType", "renewedFrom", "status", "revokedAt"}

// writeCSV writes RFC 4180 CSV with a header; SANs are one field, joined by spaces.
func writeCSV(w io.Writer, certs []admin.CertificateInfo) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	for _, c := range certs {
		rec := []string{c.Serial, c.Subject, strings.Join(c.SANs, " "), stamp(c.NotBefore), stamp(c.NotAfter),
			stamp(c.IssuedAt), c.Provisioner, c.ProvisionerType, c.RenewedFrom, string(c.Status), revokedAt(c)}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func writeTable(w io.Writer, certs []admin.CertificateInfo) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SERIAL\tSUBJECT\tSANS\tNOT AFTER\tPROVISIONER\tSTATUS")
	for _, c := range certs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", c.Serial, c.Subject, strings.Join(c.SANs, ","),
			stamp(c.NotAfter), c.Provisioner, c.Status)
	}
	return tw.Flush()
}
