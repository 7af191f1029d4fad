package acmecmd

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/admin"
	"github.com/stride-pki/stride/internal/cli/cmdutil"
	"github.com/stride-pki/stride/internal/config"
)

type addFlags struct {
	storeFlags
	allowDNS, denyDNS, allowIP, denyIP []string
	allowWildcards                     bool
}

func newAddCmd() *cobra.Command {
	var f addFlags
	cmd := &cobra.Command{
		Use:   "add PROVISIONER [REFERENCE]",
		Short: "make an external account binding key for an ACME provisioner",
		Long: `Make an external account binding key for the ACME provisioner PROVISIONER and print its key
ID and HMAC key (base64url, as certbot's --eab-hmac-key and lego's --hmac take it). The HMAC
key is shown this once. REFERENCE is your name for the key (unique within the provisioner).

The account bound with the key may only order the names its policy allows (--allow-dns,
--deny-dns, --allow-ip, --deny-ip; ca.json's policy semantics: deny wins, and once a rule
allows something, whatever no allow rule matches is refused). Wildcard identifiers need
--allow-wildcard-names.`,
		Example: `  stride ca acme eab add acme
  stride ca acme eab add acme team-a --allow-dns '*.team-a.example.com' --format json`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error { return f.run(cmd, args) },
	}
	f.register(cmd)
	fl := cmd.Flags()
	fl.StringArrayVar(&f.allowDNS, "allow-dns", nil, "allow DNS names matching `NAME` (example.com, *.example.com; repeat)")
	fl.StringArrayVar(&f.denyDNS, "deny-dns", nil, "refuse DNS names matching `NAME` (repeat)")
	fl.StringArrayVar(&f.allowIP, "allow-ip", nil, "allow IP addresses in `CIDR` or equal to an address (repeat)")
	fl.StringArrayVar(&f.denyIP, "deny-ip", nil, "refuse IP addresses in `CIDR` (repeat)")
	fl.BoolVar(&f.allowWildcards, "allow-wildcard-names", false, "let the account order wildcard names (*.example.com) its rules allow")
	return cmd
}

// policy is the flags' X.509 name policy, nil when no flag sets one.
func (f *addFlags) policy() *config.X509Policy {
	if len(f.allowDNS)+len(f.denyDNS)+len(f.allowIP)+len(f.denyIP) == 0 && !f.allowWildcards {
		return nil
	}
	p := &config.X509Policy{AllowWildcardNames: f.allowWildcards}
	if len(f.allowDNS)+len(f.allowIP) > 0 {
		p.Allow = &config.X509Names{DNSDomains: f.allowDNS, IPRanges: f.allowIP}
	}
	if len(f.denyDNS)+len(f.denyIP) > 0 {
		p.Deny = &config.X509Names{DNSDomains: f.denyDNS, IPRanges: f.denyIP}
	}
	return p
}

func (f *addFlags) run(cmd *cobra.Command, args []string) error {
	if err := f.checkFormat(); err != nil {
		return err
	}
	opts := admin.EABAddOptions{Policy: f.policy()}
	if len(args) == 2 {
		opts.Reference = args[1]
	}
	e, cfg, closer, err := f.open(cmd)
	if err != nil {
		return err
	}
	defer closer.Close()
	k, err := e.Add(cmdutil.Context(cmd), args[0], opts)
	if err != nil {
		return cmdutil.BadRequestAsUsage(err)
	}
	if f.format == "json" {
		return cmdutil.PrintJSON(cmd.OutOrStdout(), k)
	}
	return writeAdded(cmd.OutOrStdout(), k, directoryURL(cfg, k.Provisioner))
}

// writeAdded prints the new key and how to hand it to certbot and lego.
func writeAdded(w io.Writer, k *admin.EABKeyInfo, dir string) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "Key ID:\t%s\nHMAC key:\t%s\nProvisioner:\t%s\n", k.ID, k.HMACKey, k.Provisioner)
	if k.Reference != "" {
		fmt.Fprintf(tw, "Reference:\t%s\n", k.Reference)
	}
	if k.Policy != nil {
		fmt.Fprintf(tw, "Policy:\t%s\n", k.Policy)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if dir == "" {
		dir = "https://<ca>/acme/" + k.Provisioner + "/directory"
	}
	_, err := fmt.Fprintf(w, `
The HMAC key is not shown again. To register an account with it:
  certbot register --server %[1]s --eab-kid %[2]s --eab-hmac-key=%[3]s
  lego --server %[1]s --eab --kid %[2]s --hmac=%[3]s --email you@example.com --accept-tos …
`, dir, k.ID, k.HMACKey)
	return err
}

func newListCmd() *cobra.Command {
	var f storeFlags
	cmd := &cobra.Command{
		Use:   "list PROVISIONER [REFERENCE]",
		Short: "list an ACME provisioner's external account binding keys",
		Long: `List the external account binding keys of PROVISIONER (only the one named REFERENCE, if
given), ordered by key ID, with the account each is bound to. HMAC keys are never shown.`,
		Example: `  stride ca acme eab list acme
  stride ca acme eab list acme team-a --format json`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := f.checkFormat(); err != nil {
				return err
			}
			reference := ""
			if len(args) == 2 {
				reference = args[1]
			}
			e, _, closer, err := f.open(cmd)
			if err != nil {
				return err
			}
			defer closer.Close()
			keys, err := e.List(cmdutil.Context(cmd), args[0], reference)
			if err != nil {
				return cmdutil.BadRequestAsUsage(err)
			}
			if f.format == "json" {
				return cmdutil.PrintJSON(cmd.OutOrStdout(), keys)
			}
			return writeTable(cmd.OutOrStdout(), keys)
		},
	}
	f.register(cmd)
	return cmd
}

func stamp(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}

func writeTable(w io.Writer, keys []admin.EABKeyInfo) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY ID\tPROVISIONER\tREFERENCE\tACCOUNT\tCREATED\tBOUND\tPOLICY")
	for _, k := range keys {
		created := k.CreatedAt
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", k.ID, k.Provisioner, orDash(k.Reference), orDash(k.Account),
			stamp(&created), stamp(k.BoundAt), orDash(string(k.Policy)))
	}
	return tw.Flush()
}

func newRemoveCmd() *cobra.Command {
	var f storeFlags
	cmd := &cobra.Command{
		Use:   "remove PROVISIONER KEY_ID",
		Short: "remove an ACME provisioner's external account binding key",
		Long: `Remove the external account binding key KEY_ID of PROVISIONER. An unbound key can no longer
create an account; an account already bound with it keeps working.`,
		Example: `  stride ca acme eab remove acme 3q2-7wAbcdEFghIJklMNopQRstUVwxYZ`,
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			e, _, closer, err := f.open(cmd)
			if err != nil {
				return err
			}
			defer closer.Close()
			if err := e.Remove(cmdutil.Context(cmd), args[0], args[1]); err != nil {
				return cmdutil.BadRequestAsUsage(err)
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "Key %s removed.\n", args[1])
			return err
		},
	}
	cmd.Flags().StringVar(&f.caConfig, "ca-config", "", "the CA's ca.json (default $STRIDEPATH/config/ca.json)")
	return cmd
}
