package certcmd

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
	"github.com/stride-pki/stride/internal/keys"
	"github.com/stride-pki/stride/internal/pemutil"
	"github.com/stride-pki/stride/internal/template"
)

type createFlags struct {
	profile, notBefore, notAfter string
	sans                         []string
	csr, bundle, force, subtle   bool
	kty, crv                     string
	size                         int
	key, passwordFile            string
	noPassword, insecure         bool
	ca                           caFlags
	tmpl                         templateFlags
}

func newCreateCmd() *cobra.Command {
	var f createFlags
	cmd := &cobra.Command{
		Use:   "create SUBJECT CRT_FILE KEY_FILE",
		Short: "create a certificate or certificate request and its private key",
		Long: `Create a key pair and a certificate for SUBJECT: a leaf or intermediate signed by --ca,
a self-signed root, or, with --csr, a certificate request. Leaves default to 24 hours with
SUBJECT as their SAN, CAs to 10 years. The private key is encrypted unless
--no-password --insecure.`,
		Example: `  stride certificate create "Acme Root CA" root.crt root.key --profile root-ca --password-file pw
  stride certificate create "Acme Issuing CA" int.crt int.key --profile intermediate-ca \
    --ca root.crt --ca-key root.key --ca-password-file pw --password-file pw
  stride certificate create web.internal web.crt web.key --ca int.crt --ca-key int.key \
    --ca-password-file pw --san web.internal --san 10.0.0.7 --no-password --insecure
  stride certificate create web.internal web.csr web.key --csr --no-password --insecure`,
		Args: cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCreate(cmd, &f, args[0], args[1], args[2])
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.profile, "profile", "leaf", "the certificate `profile`: leaf, intermediate-ca, root-ca or self-signed")
	fl.BoolVar(&f.csr, "csr", false, "create a certificate request instead of a certificate")
	fl.StringSliceVar(&f.sans, "san", nil, "a subject alternative `name`: DNS name, IP, email or URI (repeatable)")
	fl.StringVar(&f.notBefore, "not-before", "", "the `time|duration` the certificate becomes valid (RFC 3339 or e.g. -5m)")
	fl.StringVar(&f.notAfter, "not-after", "", "the `time|duration` the certificate expires (RFC 3339 or e.g. 720h)")
	fl.StringVar(&f.kty, "kty", "EC", "the key `type`: EC, OKP or RSA")
	fl.StringVar(&f.crv, "crv", "", "the `curve`: P-256, P-384, P-521 (EC) or Ed25519 (OKP)")
	fl.StringVar(&f.crv, "curve", "", "alias of --crv")
	fl.IntVar(&f.size, "size", keys.DefaultRSASize, "the RSA key size in `bits`")
	fl.StringVar(&f.key, "key", "", "use this existing private key `file` instead of creating one")
	fl.StringVar(&f.passwordFile, "password-file", "", "a `file` holding the password of the private key")
	fl.BoolVar(&f.noPassword, "no-password", false, "do not encrypt the private key (needs --insecure)")
	fl.BoolVar(&f.insecure, "insecure", false, "confirm --no-password")
	fl.BoolVar(&f.bundle, "bundle", false, "write the issuer's certificate after the new one")
	fl.BoolVar(&f.subtle, "subtle", false, "allow the self-signed profile")
	fl.BoolVarP(&f.force, "force", "f", false, "overwrite existing files")
	_ = fl.MarkHidden("curve")
	f.ca.register(cmd)
	f.tmpl.register(cmd)
	return cmd
}

func runCreate(cmd *cobra.Command, f *createFlags, subject, crtPath, keyPath string) error {
	builtin, def, err := profileTemplate(f.profile, f.subtle, f.csr)
	if err != nil {
		return err
	}
	if err := checkOutputs(f.force, crtPath, keyPath, f.key); err != nil {
		return err
	}
	key, keyPEM, err := createKey(cmd, f)
	if err != nil {
		return err
	}
	sans := f.sans
	if len(sans) == 0 && (f.profile == "leaf" || f.profile == "self-signed" || f.csr) {
		sans = []string{subject}
	}
	data := template.NewData(subject, sans)
	if err := f.tmpl.merge(data); err != nil {
		return err
	}
	text, err := f.tmpl.text(builtin)
	if err != nil {
		return err
	}
	var out []byte
	if f.csr {
		out, err = createCSR(text, data, key)
	} else {
		out, err = createCert(cmd, f, text, data, key, def)
	}
	if err != nil {
		return err
	}
	files := []outputFile{{crtPath, out, 0o644}}
	if keyPEM != nil {
		files = append(files, outputFile{keyPath, keyPEM, 0o600})
	}
	if err := writeOutputs(f.force, files...); err != nil {
		return err
	}
	what := "certificate"
	if f.csr {
		what = "certificate signing request"
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "Your %s has been saved in %s.\n", what, crtPath)
	if keyPEM != nil {
		fmt.Fprintf(cmd.ErrOrStderr(), "Your private key has been saved in %s.\n", keyPath)
	}
	return nil
}

// profileTemplate maps --profile to a built-in template and default lifetime.
func profileTemplate(profile string, subtle, csr bool) (string, time.Duration, error) {
	if csr {
		return template.LeafTemplate, 0, nil
	}
	switch profile {
	case "leaf":
		return template.LeafTemplate, leafValidity, nil
	case "intermediate-ca":
		return template.IntermediateTemplate, caValidity, nil
	case "root-ca":
		return template.RootTemplate, caValidity, nil
	case "self-signed":
		if !subtle {
			return "", 0, cmdutil.Usagef("the self-signed profile needs --subtle")
		}
		return template.SelfSignedLeafTemplate, leafValidity, nil
	}
	return "", 0, cmdutil.Usagef("--profile %q is not one of leaf, intermediate-ca, root-ca, self-signed", profile)
}

func checkOutputs(force bool, crtPath, keyPath, existingKey string) error {
	if err := cmdutil.CheckNotExists(crtPath, force); err != nil {
		return err
	}
	if existingKey == "" {
		return cmdutil.CheckNotExists(keyPath, force)
	}
	return nil
}

// createKey generates the key (or reads --key) and encodes it for writing;
// the PEM is nil when an existing key is used.
func createKey(cmd *cobra.Command, f *createFlags) (crypto.Signer, []byte, error) {
	if f.key != "" {
		k, err := cmdutil.ReadPrivateKey(cmd.InOrStdin(), cmd.ErrOrStderr(), f.key, f.passwordFile, "--password-file")
		return k, nil, err
	}
	k, err := keys.Generate(f.kty, f.crv, f.size)
	if err != nil {
		return nil, nil, cmdutil.Usagef("%v", err)
	}
	pw, err := cmdutil.NewKeyPassword(cmd.InOrStdin(), cmd.ErrOrStderr(), f.passwordFile, f.noPassword, f.insecure, "the private key")
	if err != nil {
		return nil, nil, err
	}
	pemBytes, err := pemutil.EncodePrivateKey(k, pw)
	return k, pemBytes, err
}

func createCSR(text string, data template.Data, key crypto.Signer) ([]byte, error) {
	c, err := template.NewCertificateFromKey(key.Public(), text, data)
	if err != nil {
		return nil, err
	}
	cert, err := c.X509(key.Public())
	if err != nil {
		return nil, err
	}
	req := &x509.CertificateRequest{Subject: cert.Subject, DNSNames: cert.DNSNames, EmailAddresses: cert.EmailAddresses,
		IPAddresses: cert.IPAddresses, URIs: cert.URIs}
	der, err := x509.CreateCertificateRequest(rand.Reader, req, key)
	if err != nil {
		return nil, fmt.Errorf("creating the certificate request: %w", err)
	}
	csr, err := x509.ParseCertificateRequest(der)
	if err != nil {
		return nil, err
	}
	return pemutil.EncodeCSR(csr), nil
}

func createCert(cmd *cobra.Command, f *createFlags, text string, data template.Data, key crypto.Signer, def time.Duration) ([]byte, error) {
	nb, na, err := validity(f.notBefore, f.notAfter, time.Now(), def)
	if err != nil {
		return nil, err
	}
	c, err := template.NewCertificateFromKey(key.Public(), text, data)
	if err != nil {
		return nil, err
	}
	cert, err := c.X509(key.Public())
	if err != nil {
		return nil, err
	}
	var chain []*x509.Certificate
	signer := key
	if f.profile == "leaf" || f.profile == "intermediate-ca" {
		if chain, signer, err = f.ca.load(cmd.InOrStdin(), cmd.ErrOrStderr()); err != nil {
			return nil, err
		}
	} else if f.ca.crt != "" || f.ca.key != "" {
		return nil, cmdutil.Usagef("--ca and --ca-key do not apply to the %s profile, which is self-signed", f.profile)
	}
	var issuer *x509.Certificate
	if len(chain) > 0 {
		issuer = chain[0]
	}
	signed, err := signTemplate(cert, issuer, signer, nb, na)
	if err != nil {
		return nil, err
	}
	out := pemutil.EncodeCertificates(signed)
	if f.bundle && issuer != nil {
		out = append(out, pemutil.EncodeCertificates(chain...)...)
	}
	return out, nil
}
