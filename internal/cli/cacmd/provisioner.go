package cacmd

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
	"github.com/stride-pki/stride/internal/config"
)

// newProvisionerCmd returns `stride ca provisioner`: list, add, update and
// remove the provisioners of a CA. Like step against a CA without remote
// management (the /admin/admins probe answers 404 or 501), the commands edit
// ca.json directly; the running CA picks the change up on SIGHUP.
func newProvisionerCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "provisioner",
		Short: "list, add, update and remove the provisioners in ca.json",
		Long: `Manage the provisioners of a CA by editing its ca.json (--ca-config, by default
$STRIDEPATH/config/ca.json or the ca-config of defaults.json). Members Stride does not
model, and provisioners of types it does not edit yet, are kept as they are.

After a change, send SIGHUP to stride-ca (or step-ca) to load it, or pass --reload
with --pid-file to have the command do it.`,
		Example: `  stride ca provisioner list
  stride ca provisioner add jim@example.com --create --password-file pw.txt
  stride ca provisioner update jim@example.com --x509-default-dur 72h --x509-max-dur 168h
  stride ca provisioner remove jim@example.com`,
	}
	cmd.AddCommand(newProvisionerListCmd(), newProvisionerAddCmd(), newProvisionerUpdateCmd(), newProvisionerRemoveCmd())
	return cmd
}

// caFileFlags locate ca.json and the running CA; shared by every subcommand.
type caFileFlags struct {
	caConfig, caURL, root, context string
	reload                         bool
	pidFile                        string
}

func (f *caFileFlags) register(cmd *cobra.Command, edits bool) {
	fl := cmd.Flags()
	fl.StringVar(&f.caConfig, "ca-config", "", "the CA configuration `file` (default: $STRIDEPATH/config/ca.json)")
	fl.StringVar(&f.caURL, "ca-url", "", "the `URI` of the CA (list: read its /provisioners instead of ca.json)")
	fl.StringVar(&f.root, "root", "", "the root certificate `file` the CA's TLS certificate chains to")
	fl.StringVar(&f.context, "context", "", "the context `name` to use")
	if edits {
		fl.BoolVar(&f.reload, "reload", false, "send SIGHUP to the CA whose process ID is in --pid-file once ca.json is written")
		fl.StringVar(&f.pidFile, "pid-file", "", "the `file` holding the CA's process ID (for --reload)")
	}
}

// configPath resolves ca.json: --ca-config (or its defaults.json/env
// default), else the authority directory's config/ca.json.
func (f *caFileFlags) configPath(cmd *cobra.Command) (string, error) {
	if f.caConfig != "" {
		return f.caConfig, nil
	}
	paths, err := cmdutil.Paths(cmd)
	if err != nil {
		return "", err
	}
	return paths.CAConfig(), nil
}

// loadCAConfig reads ca.json for editing. Defaults are not applied, so
// writing it back changes only what the command changed.
func (f *caFileFlags) loadCAConfig(cmd *cobra.Command) (*config.CAConfig, error) {
	path, err := f.configPath(cmd)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s does not exist: pass --ca-config with the path of the CA's ca.json", path)
	}
	c, err := config.Load(path)
	if err != nil {
		return nil, err
	}
	if c.Authority == nil {
		c.Authority = &config.Authority{}
	}
	return c, nil
}

// saveCAConfig validates c as the CA would at startup, writes it
// atomically, prints the reload hint and, with --reload, signals the CA.
func (f *caFileFlags) saveCAConfig(cmd *cobra.Command, c *config.CAConfig) error {
	if err := c.Validate(); err != nil {
		return fmt.Errorf("the change would make ca.json invalid, nothing was written: %w", err)
	}
	if err := config.Write(c.Path, c); err != nil {
		return err
	}
	out := cmd.ErrOrStderr()
	fmt.Fprintf(out, "Updated %s.\n", c.Path)
	if !f.reload {
		fmt.Fprintln(out, "The running CA loads the new configuration on SIGHUP: kill -HUP <pid of stride-ca or step-ca>, or restart it.")
		return nil
	}
	return f.signalReload(out)
}

// signalReload sends SIGHUP to the process named by --pid-file.
func (f *caFileFlags) signalReload(out io.Writer) error {
	if f.pidFile == "" {
		return cmdutil.Usagef("--reload needs --pid-file with the CA's process ID; ca.json was updated, send SIGHUP to the CA yourself")
	}
	b, err := os.ReadFile(f.pidFile)
	if err != nil {
		return fmt.Errorf("ca.json was updated but the CA was not reloaded: reading --pid-file: %w", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return fmt.Errorf("ca.json was updated but the CA was not reloaded: %s does not hold a process ID", f.pidFile)
	}
	if err := syscall.Kill(pid, syscall.SIGHUP); err != nil {
		return fmt.Errorf("ca.json was updated but SIGHUP to process %d failed: %w", pid, err)
	}
	fmt.Fprintf(out, "Sent SIGHUP to process %d: the CA reloads its configuration.\n", pid)
	return nil
}

// findProvisioner returns the index of the provisioner called name, or -1.
func findProvisioner(provs []config.Provisioner, name string) int {
	for i, p := range provs {
		if p.Name() == name {
			return i
		}
	}
	return -1
}

// provisionerNames lists the names in ca.json, for error messages.
func provisionerNames(provs []config.Provisioner) string {
	names := make([]string, 0, len(provs))
	for _, p := range provs {
		names = append(names, strconv.Quote(p.Name()))
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// checkRemoteManagement runs step's probe when a CA URL is known: a CA
// that answers 401 on /admin/admins keeps its provisioners in its database
// (authority.enableAdmin), where editing ca.json would change nothing.
// A CA that cannot be reached is not an obstacle to editing its file.
func (f *caFileFlags) checkRemoteManagement(cmd *cobra.Command) error {
	if f.caURL == "" {
		return nil
	}
	status, err := probeAdminAPI(cmd.Context(), f.caURL, f.root)
	switch {
	case status == adminAPIEnabled:
		return fmt.Errorf("the CA at %s has remote management enabled (authority.enableAdmin): its provisioners live in its database, which stride does not edit yet; use the admin API (step ca provisioner with admin credentials)", f.caURL)
	case err != nil && cmd.Flags().Changed("ca-url"):
		fmt.Fprintf(cmd.ErrOrStderr(), "warning: could not check whether the CA has remote management enabled (%v); editing ca.json\n", err)
	}
	return nil
}
