package cacmd

import (
	"context"
	"crypto/x509"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
	"github.com/stride-pki/stride/internal/client"
	"github.com/stride-pki/stride/internal/pemutil"
)

// connFlags are the flags of every command that talks to a CA: --ca-url,
// --root and --context. Their defaults come from STRIDE_* and defaults.json
// (what `stride ca bootstrap` wrote), applied by the root command.
type connFlags struct {
	caURL, root, context string
}

func (f *connFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.caURL, "ca-url", "", "the `URI` of the CA (default: ca-url of defaults.json)")
	fl.StringVar(&f.root, "root", "", "the root certificate `file` to trust the CA with (default: root of defaults.json)")
	fl.StringVar(&f.context, "context", "", "the context `name` to use (default: the current context)")
}

// rootFile returns --root, or the authority's certs/root_ca.crt if it exists.
func (f *connFlags) rootFile(cmd *cobra.Command) string {
	if f.root != "" {
		return f.root
	}
	if paths, err := cmdutil.Paths(cmd); err == nil {
		if _, err := os.Stat(paths.RootCert()); err == nil {
			return paths.RootCert()
		}
	}
	return ""
}

// client builds a CA client from the flags; missing flags are usage errors
// that say how to supply them.
func (f *connFlags) client(cmd *cobra.Command) (*client.Client, error) {
	if f.caURL == "" {
		return nil, cmdutil.Usagef("no CA URL: pass --ca-url, or run `stride ca bootstrap` first")
	}
	root := f.rootFile(cmd)
	if root == "" {
		return nil, cmdutil.Usagef("no root certificate to trust the CA with: pass --root, or run `stride ca bootstrap` first")
	}
	c, err := client.New(f.caURL, client.Options{RootFile: root, UserAgent: "stride/" + cmdutil.Version})
	if err != nil {
		return nil, cmdutil.Usagef("%v", err)
	}
	return c, nil
}

// rootFingerprint is the hex SHA-256 of the trusted root (the sha claim).
func (f *connFlags) rootFingerprint(cmd *cobra.Command) (string, error) {
	root := f.rootFile(cmd)
	if root == "" {
		return "", cmdutil.Usagef("no root certificate: pass --root, or run `stride ca bootstrap` first")
	}
	cert, err := pemutil.ReadCertificate(root)
	if err != nil {
		return "", err
	}
	return client.Fingerprint(cert), nil
}

func ctxOf(cmd *cobra.Command) context.Context {
	if ctx := cmd.Context(); ctx != nil {
		return ctx
	}
	return context.Background()
}

// writeOrPrintCerts writes certs as PEM to file (0600, refusing to overwrite
// without force) with a note on stderr, or prints them on stdout.
func writeOrPrintCerts(cmd *cobra.Command, file string, force bool, what string, certs ...*x509.Certificate) error {
	data := pemutil.EncodeCertificates(certs...)
	if file == "" {
		_, err := cmd.OutOrStdout().Write(data)
		return err
	}
	if err := cmdutil.CheckNotExists(file, force); err != nil {
		return err
	}
	if err := cmdutil.WriteFile(file, data, 0o600); err != nil {
		return err
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "The %s been saved in %s.\n", what, file)
	return nil
}

// progress prints msg on stderr if fn has not returned after a second, so a
// slow CA does not look like a hang; scripts reading stdout are unaffected.
func progress[T any](w io.Writer, msg string, fn func() (T, error)) (T, error) {
	done := make(chan struct{})
	go func() {
		t := timeAfter()
		select {
		case <-done:
		case <-t:
			fmt.Fprintln(w, msg)
		}
	}()
	v, err := fn()
	close(done)
	return v, err
}

var timeAfter = func() <-chan time.Time { return time.After(time.Second) }
