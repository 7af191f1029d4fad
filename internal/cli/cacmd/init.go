package cacmd

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
	"github.com/stride-pki/stride/internal/config"
	"github.com/stride-pki/stride/internal/pki"
)

// initFlags are `stride ca init`'s flags, step's names.
type initFlags struct {
	name, address, provisioner            string
	dns                                   []string
	passwordFile, provisionerPasswordFile string
	deploymentType                        string
	pkiOnly, ssh, acme, noDB, force       bool
	root, key, keyPasswordFile            string
	kty, crv                              string
	size                                  int
	context, profile, authority           string
}

func newInitCmd() *cobra.Command {
	var f initFlags
	cmd := &cobra.Command{
		Use:   "init",
		Short: "initialize a PKI: root, intermediate, first provisioner and ca.json",
		Long: `Initialize a PKI in $STRIDEPATH with step's layout and file names: a root and an
intermediate CA (EC P-256 by default, 10 years), their keys encrypted with the password,
a JWK provisioner, config/ca.json and config/defaults.json.

On a terminal, missing answers are asked for; an empty password generates a strong one
and prints it once. Without a terminal every needed flag must be given.`,
		Example: `  stride ca init
  stride ca init --name Acme --dns ca.acme.internal --dns 10.0.0.5 --address :443 \
    --provisioner admin@acme.internal --password-file pw.txt
  stride ca init --pki --name Acme --password-file pw.txt
  stride ca init --ssh --acme --name Acme --dns localhost --address 127.0.0.1:9000 \
    --provisioner admin --password-file pw.txt --context acme`,
		Args:        cobra.NoArgs,
		Annotations: map[string]string{cmdutil.AnnotationNoDefaults: "true"},
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runInit(cmd, &f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.name, "name", "", "the `name` of the new PKI")
	fl.StringSliceVar(&f.dns, "dns", nil, "a DNS `name` or IP address clients use to reach the CA (repeatable)")
	fl.StringVar(&f.address, "address", "", "the `host:port` the CA will listen on, e.g. :443 or 127.0.0.1:9000")
	fl.StringVar(&f.provisioner, "provisioner", "", "the `name` of the first (JWK) provisioner, e.g. you@example.com")
	fl.StringVar(&f.passwordFile, "password-file", "", "a `file` holding the password that encrypts the CA keys")
	fl.StringVar(&f.provisionerPasswordFile, "provisioner-password-file", "", "a `file` holding the provisioner's password (default: the CA password)")
	fl.StringVar(&f.deploymentType, "deployment-type", "standalone", "the deployment `type`: standalone")
	fl.BoolVar(&f.pkiOnly, "pki", false, "create only the keys and certificates, no configuration")
	fl.BoolVar(&f.ssh, "ssh", false, "also create SSH user and host CA keys and an sshpop provisioner")
	fl.BoolVar(&f.acme, "acme", false, "also add an ACME provisioner named acme")
	fl.BoolVar(&f.noDB, "no-db", false, "leave the database out of ca.json")
	fl.StringVar(&f.root, "root", "", "an existing root certificate `file` to sign the intermediate with")
	fl.StringVar(&f.key, "key", "", "the private key `file` of --root")
	fl.StringVar(&f.keyPasswordFile, "key-password-file", "", "a `file` holding the password of --key")
	fl.StringVar(&f.kty, "kty", "EC", "the CA key `type`: EC, OKP or RSA")
	fl.StringVar(&f.crv, "crv", "", "the `curve` of EC (P-256, P-384, P-521) or OKP (Ed25519) keys")
	fl.StringVar(&f.crv, "curve", "", "alias of --crv")
	fl.IntVar(&f.size, "size", 2048, "the RSA key size in `bits` (at least 2048)")
	fl.StringVar(&f.context, "context", "", "create the PKI as a new context with this `name` and select it")
	fl.StringVar(&f.profile, "profile", "", "the profile `name` of the new context (default: the context name)")
	fl.StringVar(&f.authority, "authority", "", "the authority `name` of the new context (default: the context name)")
	fl.BoolVarP(&f.force, "force", "f", false, "overwrite an existing PKI")
	_ = fl.MarkHidden("curve")
	return cmd
}

func runInit(cmd *cobra.Command, f *initFlags) error {
	paths, err := initPaths(f)
	if err != nil {
		return err
	}
	if err := checkNoPKI(paths, f.force); err != nil {
		return err
	}
	opts, err := gatherInitOptions(cmd, f)
	if err != nil {
		return err
	}
	res, err := pki.Create(paths, *opts)
	if err != nil {
		return err
	}
	if f.context != "" {
		if err := registerContext(paths, f); err != nil {
			return err
		}
	}
	printInitResult(cmd.OutOrStdout(), res, f.pkiOnly)
	return nil
}

// initPaths picks where the PKI goes: the base, or a new context's folder.
func initPaths(f *initFlags) (config.Paths, error) {
	base := cmdutil.BasePath()
	if f.context == "" {
		if f.profile != "" || f.authority != "" {
			return config.Paths{}, cmdutil.Usagef("--profile and --authority need --context")
		}
		return config.SinglePaths(base), nil
	}
	c := config.Context{Authority: orDefault(f.authority, f.context), Profile: orDefault(f.profile, f.context)}
	return config.ContextPaths(base, c, f.context), nil
}

func printInitResult(w io.Writer, res *pki.Result, pkiOnly bool) {
	for _, file := range res.Files {
		switch {
		case file.Label == "Root fingerprint":
			fmt.Fprintf(w, "✔ Root fingerprint: %s\n", res.RootFingerprint)
		case file.Label != "":
			fmt.Fprintf(w, "✔ %s: %s\n", file.Label, file.Path)
		}
	}
	if pkiOnly {
		fmt.Fprintln(w, "\nYour PKI is ready. Run `stride ca init` without --pki to also get a CA configuration.")
		return
	}
	fmt.Fprintln(w, "\nYour PKI is ready to go. To get certificates for your services see `stride ca --help`.")
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
