package certcmd

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
	"github.com/stride-pki/stride/internal/keys"
	"github.com/stride-pki/stride/internal/pemutil"
	"github.com/stride-pki/stride/internal/template"
)

// Default lifetimes of offline certificates, as step's: a day for leaves,
// ten years for CAs.
const (
	leafValidity = 24 * time.Hour
	caValidity   = 87600 * time.Hour
)

// templateFlags are the template inputs shared by `create` and `sign`.
type templateFlags struct {
	template string
	set      []string
	setFile  string
}

func (t *templateFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&t.template, "template", "", "a certificate template `file` (step's JSON template format)")
	cmd.Flags().StringArrayVar(&t.set, "set", nil, "template data `key=value` (repeatable)")
	cmd.Flags().StringVar(&t.setFile, "set-file", "", "a JSON `file` of template data")
}

// text returns the template to use: --template's content or the built-in.
func (t *templateFlags) text(builtin string) (string, error) {
	if t.template == "" {
		return builtin, nil
	}
	b, err := pemutil.ReadFile(t.template)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// merge adds --set-file and then --set values to data (top level, as step).
func (t *templateFlags) merge(data template.Data) error {
	if t.setFile != "" {
		b, err := pemutil.ReadFile(t.setFile)
		if err != nil {
			return err
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			return fmt.Errorf("%s is not a JSON object: %v", t.setFile, err)
		}
		data.Merge(m)
	}
	sets, err := cmdutil.ParseSetFlags(t.set)
	if err != nil {
		return err
	}
	data.Merge(sets)
	return nil
}

// validity resolves --not-before/--not-after against now and a default lifetime.
func validity(notBefore, notAfter string, now time.Time, def time.Duration) (time.Time, time.Time, error) {
	nb, err := cmdutil.ParseTime("not-before", notBefore, now)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	if nb.IsZero() {
		nb = now
	}
	na, err := cmdutil.ParseTime("not-after", notAfter, nb)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	if na.IsZero() {
		na = nb.Add(def)
	}
	if !na.After(nb) {
		return time.Time{}, time.Time{}, cmdutil.Usagef("--not-after (%s) must be after --not-before (%s)", na.Format(time.RFC3339), nb.Format(time.RFC3339))
	}
	return nb.UTC().Truncate(time.Second), na.UTC().Truncate(time.Second), nil
}

// signTemplate fills serial and validity where the template left them, checks
// the key, and signs with issuer (nil: self-signed with signer).
func signTemplate(cert *x509.Certificate, issuer *x509.Certificate, signer crypto.Signer, nb, na time.Time) (*x509.Certificate, error) {
	if err := keys.CheckPublicKey(cert.PublicKey); err != nil {
		return nil, err
	}
	if cert.SerialNumber == nil {
		serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
		if err != nil {
			return nil, err
		}
		cert.SerialNumber = serial.Add(serial, big.NewInt(1))
	}
	if cert.NotBefore.IsZero() {
		cert.NotBefore = nb
	}
	if cert.NotAfter.IsZero() {
		cert.NotAfter = na
	}
	parent := issuer
	if parent == nil {
		parent = cert
	}
	der, err := x509.CreateCertificate(rand.Reader, cert, parent, cert.PublicKey, signer)
	if err != nil {
		return nil, fmt.Errorf("signing the certificate: %w", err)
	}
	return x509.ParseCertificate(der)
}

// caFlags locate an issuing CA: --ca, --ca-key and its password.
type caFlags struct {
	crt, key, passwordFile string
}

func (c *caFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&c.crt, "ca", "", "the issuing CA certificate `file`")
	cmd.Flags().StringVar(&c.key, "ca-key", "", "the issuing CA private key `file`")
	cmd.Flags().StringVar(&c.passwordFile, "ca-password-file", "", "a `file` holding the password of --ca-key")
}

// load reads the CA certificate (and the chain in its file) and key.
func (c *caFlags) load(in io.Reader, out io.Writer) ([]*x509.Certificate, crypto.Signer, error) {
	if c.crt == "" || c.key == "" {
		return nil, nil, cmdutil.Usagef("this profile is signed by a CA: pass --ca and --ca-key")
	}
	chain, err := pemutil.ReadCertificates(c.crt)
	if err != nil {
		return nil, nil, err
	}
	key, err := cmdutil.ReadPrivateKey(in, out, c.key, c.passwordFile, "--ca-password-file")
	if err != nil {
		return nil, nil, err
	}
	if !cmdutil.SamePublicKey(key.Public(), chain[0].PublicKey) {
		return nil, nil, fmt.Errorf("%s is not the private key of %s", c.key, c.crt)
	}
	return chain, key, nil
}

// writeOutputs checks every output first (so a refusal writes nothing) and
// then writes them.
func writeOutputs(force bool, files ...outputFile) error {
	for _, f := range files {
		if err := cmdutil.CheckNotExists(f.path, force); err != nil {
			return err
		}
	}
	for _, f := range files {
		if err := cmdutil.WriteFile(f.path, f.data, f.perm); err != nil {
			return err
		}
	}
	return nil
}

type outputFile struct {
	path string
	data []byte
	perm os.FileMode
}
