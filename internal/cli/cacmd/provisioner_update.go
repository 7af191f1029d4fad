package cacmd

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
	"github.com/stride-pki/stride/internal/config"
)

func newProvisionerUpdateCmd() *cobra.Command {
	var f editFlags
	cmd := &cobra.Command{
		Use:   "update NAME",
		Short: "change a provisioner in ca.json",
		Long: `Change a provisioner in ca.json. Only what the flags name changes: --x509-max-dur 48h
sets that claim and leaves the others; --disable-renewal=false turns a switch back off.

For JWK provisioners --create replaces the key pair (tokens signed with the old key stop
working once the CA reloads), --public-key replaces the public key and drops the stored
private key unless --private-key is given too. For ACME, --challenge and
--remove-challenge add and remove challenges. Claims and templates of any type can be
changed; the members of other types are kept as they are.`,
		Example: `  stride ca provisioner update jim@example.com --x509-default-dur 72h --x509-max-dur 168h
  stride ca provisioner update jim@example.com --create --password-file new-pw.txt
  stride ca provisioner update acme --challenge tls-alpn-01 --remove-challenge http-01
  stride ca provisioner update jim@example.com --name jim`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runProvisionerUpdate(cmd, &f, args[0])
		},
	}
	f.register(cmd, true)
	return cmd
}

func runProvisionerUpdate(cmd *cobra.Command, f *editFlags, name string) error {
	c, err := f.loadCAConfig(cmd)
	if err != nil {
		return err
	}
	provs := c.Authority.Provisioners
	i := findProvisioner(provs, name)
	if i < 0 {
		return fmt.Errorf("%s has no provisioner named %q (it has %s)", c.Path, name, provisionerNames(provs))
	}
	p := provs[i]
	typ := p.Type()
	if err := f.checkFlags(cmd, typ); err != nil {
		return err
	}
	if err := f.checkRename(cmd, provs, name); err != nil {
		return err
	}
	if err := f.checkRemoteManagement(cmd); err != nil {
		return err
	}
	if cmd.Flags().Changed("name") {
		if err := p.Set(map[string]string{"name": f.name}); err != nil {
			return err
		}
	}
	if err := f.apply(cmd, &p, typ, false); err != nil {
		return err
	}
	provs[i] = p
	return f.saveCAConfig(cmd, c)
}

// checkRename refuses an empty new name or one already taken.
func (f *editFlags) checkRename(cmd *cobra.Command, provs []config.Provisioner, old string) error {
	if !cmd.Flags().Changed("name") {
		return nil
	}
	if strings.TrimSpace(f.name) == "" {
		return cmdutil.Usagef("--name must not be empty")
	}
	if f.name != old && findProvisioner(provs, f.name) >= 0 {
		return fmt.Errorf("cannot rename %q to %q: a provisioner named %q already exists", old, f.name, f.name)
	}
	return nil
}

func newProvisionerRemoveCmd() *cobra.Command {
	var f caFileFlags
	cmd := &cobra.Command{
		Use:   "remove NAME",
		Short: "remove a provisioner from ca.json",
		Long: `Remove a provisioner from ca.json. Certificates it issued stay valid, but renewing them
needs a provisioner of the same name. Removing the last provisioner is allowed, as step
allows it, with a warning: the CA then issues nothing until one is added.`,
		Example: `  stride ca provisioner remove jim@example.com
  stride ca provisioner remove acme --ca-config /etc/stride/config/ca.json --reload --pid-file /run/stride-ca.pid`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runProvisionerRemove(cmd, &f, args[0])
		},
	}
	f.register(cmd, true)
	return cmd
}

func runProvisionerRemove(cmd *cobra.Command, f *caFileFlags, name string) error {
	c, err := f.loadCAConfig(cmd)
	if err != nil {
		return err
	}
	provs := c.Authority.Provisioners
	i := findProvisioner(provs, name)
	if i < 0 {
		return fmt.Errorf("%s has no provisioner named %q (it has %s)", c.Path, name, provisionerNames(provs))
	}
	if err := f.checkRemoteManagement(cmd); err != nil {
		return err
	}
	c.Authority.Provisioners = append(provs[:i:i], provs[i+1:]...)
	if len(c.Authority.Provisioners) == 0 {
		fmt.Fprintf(cmd.ErrOrStderr(), "warning: %q was the last provisioner: the CA will issue no certificate until one is added.\n", name)
	}
	return f.saveCAConfig(cmd, c)
}
