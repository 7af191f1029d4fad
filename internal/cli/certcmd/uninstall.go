package certcmd

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newUninstallCmd() *cobra.Command {
	var f trustFlags
	cmd := &cobra.Command{
		Use:   "uninstall CRT_FILE",
		Short: "remove a root from the system trust store",
		Long: `Remove a root certificate from the system trust store: every anchor file
holding it is deleted, whatever its name, and the store is refreshed. Takes the
flags of install (--prefix is accepted and ignored: files are found by content).`,
		Example: `  sudo stride certificate uninstall root_ca.crt
  stride certificate uninstall root_ca.crt --sysroot /mnt/image`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cert, err := readRoot(args[0])
			if err != nil {
				return err
			}
			sys, st, err := f.target(cmd)
			if err != nil {
				return err
			}
			removed, _, err := sys.Uninstall(ctxOf(cmd), st, cert)
			if err != nil {
				return err
			}
			if len(removed) == 0 {
				return fmt.Errorf("certificate %s is not installed in %s", args[0], st.Dir)
			}
			for _, p := range removed {
				fmt.Fprintf(cmd.ErrOrStderr(), "Certificate %s has been removed from %s.\n", args[0], p)
			}
			return nil
		},
	}
	f.register(cmd, false)
	cmd.Flags().String("prefix", "", "accepted for step compatibility; ignored")
	return cmd
}
