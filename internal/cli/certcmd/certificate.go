// Package certcmd holds `stride certificate …`: offline X.509 tools.
package certcmd

import "github.com/spf13/cobra"

// New returns the `certificate` command group.
func New() *cobra.Command {
	cmd := &cobra.Command{Use: "certificate", Aliases: []string{"cert"}, Short: "create, inspect, verify and install X.509 certificates"}
	cmd.AddCommand(
		newCreateCmd(),
		newSignCmd(),
		newKeyCmd(),
		newInspectCmd(),
		newFingerprintCmd(),
		newVerifyCmd(),
		newBundleCmd(),
		newLintCmd(),
		newNeedsRenewalCmd(),
		newInstallCmd(),
		newUninstallCmd(),
	)
	return cmd
}
