package certcmd

import (
	"crypto/x509"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
	"github.com/stride-pki/stride/internal/truststore"
)

// trustFlags are the flags install and uninstall share with step, plus
// --sysroot, which is stride's own.
type trustFlags struct {
	prefix   string
	all      bool
	java     bool
	firefox  bool
	noSystem bool
	sysroot  string
}

func (f *trustFlags) register(cmd *cobra.Command, withPrefix bool) {
	fl := cmd.Flags()
	if withPrefix {
		fl.StringVar(&f.prefix, "prefix", "", "name of the CA in the trust store (default: the certificate's common name)")
	}
	fl.BoolVar(&f.all, "all", false, "the system store, and Java's and Firefox's (not supported yet: system only)")
	fl.BoolVar(&f.java, "java", false, "Java's key store (not supported yet)")
	fl.BoolVar(&f.firefox, "firefox", false, "Firefox's NSS database (not supported yet)")
	fl.BoolVar(&f.noSystem, "no-system", false, "leave the system trust store alone")
	fl.StringVar(&f.sysroot, "sysroot", "", "treat DIR as the system root: files go under it and the refresh command runs (chrooted) only if installed there")
}

// target checks the flags and returns the system and its store.
func (f *trustFlags) target(cmd *cobra.Command) (truststore.System, truststore.Store, error) {
	if f.java || f.firefox {
		return truststore.System{}, truststore.Store{}, cmdutil.Usagef("--java and --firefox are not supported yet")
	}
	if f.noSystem {
		return truststore.System{}, truststore.Store{}, cmdutil.Usagef("--no-system leaves nothing to do: Java and Firefox stores are not supported yet")
	}
	if f.all {
		fmt.Fprintln(cmd.ErrOrStderr(), "warning: --all: only the system trust store is supported")
	}
	sys := truststore.System{Root: f.sysroot}
	st, err := sys.Detect()
	return sys, st, err
}

func newInstallCmd() *cobra.Command {
	var f trustFlags
	cmd := &cobra.Command{
		Use:   "install CRT_FILE",
		Short: "install a root into the system trust store",
		Long: `Install a root certificate in the system trust store so that every program
using it trusts the CA: on Debian/Ubuntu and Alpine in
/usr/local/share/ca-certificates, then update-ca-certificates; on Fedora/RHEL
in /etc/pki/ca-trust/source/anchors, then update-ca-trust extract. The
distribution is read from /etc/os-release. Needs root privileges.

The file is named stride-<prefix>-<serial>, <prefix> defaulting to the
certificate's common name. --sysroot DIR installs into a system image at DIR
(every path under DIR; the refresh runs chrooted only when the tool is installed
there). Unlike step, Java and Firefox stores are not supported yet.`,
		Example: `  sudo stride certificate install root_ca.crt
  stride certificate install root_ca.crt --prefix "Acme Internal" --sysroot /mnt/image`,
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
			file, refreshed, err := sys.Install(ctxOf(cmd), st, cert, f.prefix)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "Certificate %s has been installed in %s.\n", args[0], file)
			if !refreshed {
				fmt.Fprintf(cmd.ErrOrStderr(), "The trust store was not refreshed: %s is not installed under %s.\n", st.Refresh[0], f.sysroot)
			}
			return nil
		},
	}
	f.register(cmd, true)
	return cmd
}

// readRoot reads the first certificate of a file: the one to (un)trust.
func readRoot(path string) (*x509.Certificate, error) {
	certs, err := readCerts(path)
	if err != nil {
		return nil, err
	}
	return certs[0], nil
}
