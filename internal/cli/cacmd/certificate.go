package cacmd

import (
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
	"github.com/stride-pki/stride/internal/keys"
	"github.com/stride-pki/stride/internal/pemutil"
)

type certificateFlags struct {
	signFlags
	sans     []string
	kty, crv string
	size     int
}

func newCertificateCmd() *cobra.Command {
	var f certificateFlags
	cmd := &cobra.Command{
		Use:   "certificate SUBJECT CRT_FILE KEY_FILE",
		Short: "get a certificate from the CA: key, CSR, token and signature in one step",
		Long: `Create a private key and a CSR (CN=SUBJECT, SANs from --san or else SUBJECT), mint
a one-time token for them (or use --token), and ask the CA to sign (POST /sign).
CRT_FILE gets the chain (leaf, then intermediates) and KEY_FILE the key, unencrypted,
both 0600, as step writes them.

With a single JWK provisioner it is used without asking; with a password file
nothing prompts. --not-before/--not-after ask the CA for a validity period within the
provisioner's limits. --x5c-cert/--x5c-key sign the token for an X5C provisioner
with a certificate's key instead.`,
		Example: `  stride ca certificate svc.internal svc.crt svc.key --provisioner-password-file pw.txt
  stride ca certificate svc.internal svc.crt svc.key --san svc.internal --san 10.0.0.7 \
    --not-after 1h --provisioner admin --provisioner-password-file pw.txt
  stride ca certificate svc.internal svc.crt svc.key --provisioner x5c --x5c-cert device.crt --x5c-key device.key
  stride ca certificate svc.internal svc.crt svc.key --token "$(stride ca token svc.internal --password-file pw.txt)"`,
		Args: cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCertificate(cmd, &f, args[0], args[1], args[2])
		},
	}
	f.signFlags.register(cmd)
	fl := cmd.Flags()
	fl.StringArrayVar(&f.sans, "san", nil, "a DNS name, IP, email or URI of the certificate (repeatable; default: SUBJECT)")
	fl.StringVar(&f.kty, "kty", "EC", "the key `type`: EC, OKP or RSA")
	fl.StringVar(&f.crv, "crv", "", "the `curve`: P-256 (default), P-384, P-521 for EC; Ed25519 for OKP")
	fl.StringVar(&f.crv, "curve", "", "alias of --crv")
	fl.IntVar(&f.size, "size", 2048, "the RSA key size in `bits`")
	_ = fl.MarkHidden("curve")
	return cmd
}

func runCertificate(cmd *cobra.Command, f *certificateFlags, subject, crtFile, keyFile string) error {
	if crtFile == keyFile {
		return cmdutil.Usagef("CRT_FILE and KEY_FILE must differ")
	}
	if err := f.check(); err != nil {
		return err
	}
	for _, p := range []string{crtFile, keyFile} {
		if err := cmdutil.CheckNotExists(p, f.force); err != nil {
			return err
		}
	}
	key, err := keys.Generate(f.kty, f.crv, f.size)
	if err != nil {
		return cmdutil.Usagef("%v", err)
	}
	sans := orSubject(f.sans, subject)
	tmpl := &x509.CertificateRequest{Subject: pkix.Name{CommonName: subject}}
	if err := splitSANs(sans, tmpl); err != nil {
		return err
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, tmpl, key)
	if err != nil {
		return fmt.Errorf("creating the CSR: %w", err)
	}
	csr, err := x509.ParseCertificateRequest(der)
	if err != nil {
		return err
	}
	chain, err := f.sign(cmd, csr, subject, sans)
	if err != nil {
		return err
	}
	keyPEM, err := pemutil.EncodePrivateKey(key, nil)
	if err != nil {
		return err
	}
	if err := cmdutil.WriteFile(crtFile, pemutil.EncodeCertificates(chain...), 0o600); err != nil {
		return err
	}
	if err := cmdutil.WriteFile(keyFile, keyPEM, 0o600); err != nil {
		return err
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "✔ Certificate: %s\n✔ Private Key: %s\n", crtFile, keyFile)
	return nil
}
