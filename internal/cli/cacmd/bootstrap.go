package cacmd

import (
	"crypto/x509"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
	"github.com/stride-pki/stride/internal/client"
	"github.com/stride-pki/stride/internal/config"
	"github.com/stride-pki/stride/internal/pemutil"
	"github.com/stride-pki/stride/internal/truststore"
)

type bootstrapFlags struct {
	caURL, fingerprint          string
	context, profile, authority string
	install, force              bool
}

func newBootstrapCmd() *cobra.Command {
	var f bootstrapFlags
	cmd := &cobra.Command{
		Use:   "bootstrap",
		Short: "trust a CA: download its root by fingerprint and write defaults.json",
		Long: `Download the root certificate of the CA at --ca-url and keep it only if its SHA-256
equals --fingerprint (the CA's TLS certificate cannot be verified yet: the fingerprint
is the trust anchor). Then write certs/root_ca.crt and config/defaults.json
({ca-url, fingerprint, root}) so that later commands need no --ca-url or --root.

With --context NAME the files go to a new context NAME, which is selected.
Existing files are kept unless --force is given. --install also adds the root to
the system trust store.`,
		Example: `  stride ca bootstrap --ca-url https://ca.internal:9000 \
    --fingerprint 4e0b1c…d1a2
  stride ca bootstrap --ca-url https://ca.internal --fingerprint 4e0b1c…d1a2 --context prod --install`,
		Args:        cobra.NoArgs,
		Annotations: map[string]string{cmdutil.AnnotationNoDefaults: "true"},
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runBootstrap(cmd, &f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.caURL, "ca-url", "", "the `URI` of the CA, e.g. https://ca.internal:9000")
	fl.StringVar(&f.fingerprint, "fingerprint", "", "the hex SHA-256 `fingerprint` of the CA's root")
	fl.BoolVar(&f.install, "install", false, "also install the root in the system trust store")
	fl.BoolVarP(&f.force, "force", "f", false, "overwrite existing files")
	fl.StringVar(&f.context, "context", "", "bootstrap into a new context with this `name` and select it")
	fl.StringVar(&f.profile, "profile", "", "the profile `name` of the new context (default: the context name)")
	fl.StringVar(&f.authority, "authority", "", "the authority `name` of the new context (default: the context name)")
	return cmd
}

func runBootstrap(cmd *cobra.Command, f *bootstrapFlags) error {
	if f.caURL == "" || f.fingerprint == "" {
		return cmdutil.Usagef("pass --ca-url and --fingerprint (the root fingerprint the CA's operator printed)")
	}
	paths, err := bootstrapPaths(cmd, f)
	if err != nil {
		return err
	}
	for _, p := range []string{paths.RootCert(), paths.Defaults()} {
		if err := cmdutil.CheckNotExists(p, f.force); err != nil {
			return err
		}
	}
	root, err := progress(cmd.ErrOrStderr(), "Waiting for the CA at "+f.caURL+" …", func() (*x509.Certificate, error) {
		return client.FetchRoot(ctxOf(cmd), f.caURL, f.fingerprint, client.Options{UserAgent: "stride/" + cmdutil.Version})
	})
	if err != nil {
		return err
	}
	if err := writeBootstrap(cmd, paths, f, root); err != nil {
		return err
	}
	if f.context != "" {
		if err := selectNewContext(f.context, f.authority, f.profile); err != nil {
			return err
		}
	}
	if f.install {
		return installRoot(cmd, root)
	}
	return nil
}

func bootstrapPaths(cmd *cobra.Command, f *bootstrapFlags) (config.Paths, error) {
	base := cmdutil.BasePath()
	if f.context == "" {
		if f.profile != "" || f.authority != "" {
			return config.Paths{}, cmdutil.Usagef("--profile and --authority need --context")
		}
		return cmdutil.Paths(cmd)
	}
	c := config.Context{Authority: orDefault(f.authority, f.context), Profile: orDefault(f.profile, f.context)}
	return config.ContextPaths(base, c, f.context), nil
}

func writeBootstrap(cmd *cobra.Command, paths config.Paths, f *bootstrapFlags, root *x509.Certificate) error {
	rootPath, err := filepath.Abs(paths.RootCert())
	if err != nil {
		return err
	}
	if err := cmdutil.WriteFile(rootPath, pemutil.EncodeCertificates(root), 0o600); err != nil {
		return err
	}
	d := &config.DefaultsFile{CAURL: f.caURL, Fingerprint: client.Fingerprint(root), Root: rootPath}
	if err := config.WriteDefaults(paths.Defaults(), d); err != nil {
		return err
	}
	w := cmd.ErrOrStderr()
	fmt.Fprintf(w, "The root certificate has been saved in %s.\n", rootPath)
	fmt.Fprintf(w, "The authority configuration has been saved in %s.\n", paths.Defaults())
	return nil
}

// selectNewContext records a context (if new) and selects it.
func selectNewContext(name, authority, profile string) error {
	base := cmdutil.BasePath()
	ctxs, err := config.LoadContexts(base)
	if err != nil {
		return err
	}
	if _, ok := ctxs[name]; !ok {
		c := config.Context{Authority: orDefault(authority, name), Profile: orDefault(profile, name)}
		if err := config.AddContext(base, name, c); err != nil {
			return err
		}
	}
	return config.SelectContext(base, name)
}

func installRoot(cmd *cobra.Command, root *x509.Certificate) error {
	sys := truststore.System{}
	st, err := sys.Detect()
	if err != nil {
		return err
	}
	file, _, err := sys.Install(ctxOf(cmd), st, root, "")
	if err != nil {
		return fmt.Errorf("installing the root in the system trust store: %w", err)
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "The root certificate has been installed in the system trust store as %s.\n", file)
	return nil
}
