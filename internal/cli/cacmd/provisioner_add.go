package cacmd

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
	"github.com/stride-pki/stride/internal/config"
)

func newProvisionerAddCmd() *cobra.Command {
	var f editFlags
	cmd := &cobra.Command{
		Use:   "add NAME",
		Short: "add a JWK, X5C or ACME provisioner to ca.json",
		Long: `Add a provisioner to ca.json. --type is JWK (the default), X5C or ACME; step's other
types are kept in ca.json when present but cannot be added with stride yet.

A JWK provisioner needs a key: --create makes an EC P-256 key pair whose private half is
stored encrypted with the password of --password-file (asked on a terminal otherwise);
--public-key takes an existing public key (JWK or PEM) and stores no private key;
--private-key takes an existing private key and stores it encrypted.

Only the claims and options given are written; the others keep the CA's defaults.`,
		Example: `  stride ca provisioner add jim@example.com --create --password-file pw.txt
  stride ca provisioner add ci --type JWK --public-key ci.pub.json --x509-default-dur 1h
  stride ca provisioner add x5c --type X5C --x5c-roots clients_ca.crt
  stride ca provisioner add acme --type ACME --challenge http-01 --challenge dns-01 --force-cn
  stride ca provisioner add jim@example.com --create --password-file pw.txt --reload --pid-file /run/stride-ca.pid`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runProvisionerAdd(cmd, &f, args[0])
		},
	}
	f.register(cmd, false)
	cmd.Flags().StringVar(&f.typ, "type", config.ProvisionerJWK, "the provisioner `type`: JWK, X5C or ACME (any case)")
	return cmd
}

func runProvisionerAdd(cmd *cobra.Command, f *editFlags, name string) error {
	if strings.TrimSpace(name) == "" {
		return cmdutil.Usagef("the provisioner name must not be empty")
	}
	typ, err := addableType(f.typ)
	if err != nil {
		return err
	}
	if err := f.checkFlags(cmd, typ); err != nil {
		return err
	}
	c, err := f.loadCAConfig(cmd)
	if err != nil {
		return err
	}
	provs := c.Authority.Provisioners
	if i := findProvisioner(provs, name); i >= 0 {
		return fmt.Errorf("%s already has a provisioner named %q (a %s provisioner): choose another name, or change it with `stride ca provisioner update`",
			c.Path, name, provs[i].Type())
	}
	if err := f.checkRemoteManagement(cmd); err != nil {
		return err
	}
	p, err := config.NewProvisioner(config.ProvisionerCommon{Type: typ, Name: name})
	if err != nil {
		return err
	}
	if err := f.apply(cmd, &p, typ, true); err != nil {
		return err
	}
	c.Authority.Provisioners = append(provs, p)
	return f.saveCAConfig(cmd, c)
}

// addableType returns step's spelling of --type, refusing the types
// Stride cannot fill in yet.
func addableType(s string) (string, error) {
	t, known := config.CanonicalProvisionerType(s)
	if !known {
		return "", cmdutil.Usagef("unknown provisioner --type %q: use JWK, X5C or ACME", s)
	}
	if !contains(editableTypes, t) {
		return "", cmdutil.Usagef("stride cannot add %s provisioners yet, only JWK, X5C and ACME (%s provisioners already in ca.json are kept)", t, t)
	}
	return t, nil
}
