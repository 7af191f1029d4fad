package certcmd

import (
	"crypto/x509"
	"fmt"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
	"github.com/stride-pki/stride/internal/pemutil"
	"github.com/stride-pki/stride/internal/template"
)

type signFlags struct {
	profile, notBefore, notAfter, passwordFile string
	pathLen                                    int
	bundle, omitCNSAN                          bool
	tmpl                                       templateFlags
}

func newSignCmd() *cobra.Command {
	var f signFlags
	cmd := &cobra.Command{
		Use:   "sign CSR_FILE CRT_FILE KEY_FILE",
		Short: "sign a certificate request offline with a CA certificate and key",
		Long: `Sign CSR_FILE with the CA in CRT_FILE and KEY_FILE and print the certificate. The
CSR's signature is checked first. The leaf profile takes the subject and names from the
CSR (the CN becomes a SAN unless --omit-cn-san); intermediate-ca makes a CA; csr copies
the request as it is.`,
		Example: `  stride certificate sign web.csr int.crt int.key --password-file pw > web.crt
  stride certificate sign sub.csr root.crt root.key --profile intermediate-ca --path-len 0`,
		Args: cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSign(cmd, &f, args[0], args[1], args[2])
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.profile, "profile", "leaf", "the certificate `profile`: leaf, intermediate-ca or csr")
	fl.StringVar(&f.notBefore, "not-before", "", "the `time|duration` the certificate becomes valid")
	fl.StringVar(&f.notAfter, "not-after", "", "the `time|duration` the certificate expires")
	fl.StringVar(&f.passwordFile, "password-file", "", "a `file` holding the password of KEY_FILE")
	fl.IntVar(&f.pathLen, "path-len", 0, "the path length of an intermediate-ca")
	fl.BoolVar(&f.bundle, "bundle", false, "print the issuer's certificate after the new one")
	fl.BoolVar(&f.omitCNSAN, "omit-cn-san", false, "do not add the CSR's CN as a SAN")
	f.tmpl.register(cmd)
	return cmd
}

func runSign(cmd *cobra.Command, f *signFlags, csrPath, crtPath, keyPath string) error {
	csr, err := pemutil.ReadCSR(csrPath)
	if err != nil {
		return err
	}
	builtin, def, err := signProfile(f)
	if err != nil {
		return err
	}
	ca := caFlags{crt: crtPath, key: keyPath, passwordFile: f.passwordFile}
	chain, signer, err := ca.load(cmd.InOrStdin(), cmd.ErrOrStderr())
	if err != nil {
		return err
	}
	nb, na, err := validity(f.notBefore, f.notAfter, time.Now(), def)
	if err != nil {
		return err
	}
	data := template.Data{}
	data.SetSubject(template.SubjectFromPKIX(csr.Subject))
	data.SetSANs(csrSANs(csr.Subject.CommonName, csr, f.omitCNSAN))
	if err := f.tmpl.merge(data); err != nil {
		return err
	}
	text, err := f.tmpl.text(builtin)
	if err != nil {
		return err
	}
	c, err := template.NewCertificate(csr, text, data)
	if err != nil {
		return err
	}
	cert, err := c.X509WithSPKI(csr.PublicKey, csr.RawSubjectPublicKeyInfo)
	if err != nil {
		return err
	}
	signed, err := signTemplate(cert, chain[0], signer, nb, na)
	if err != nil {
		return err
	}
	out := pemutil.EncodeCertificates(signed)
	if f.bundle {
		out = append(out, pemutil.EncodeCertificates(chain...)...)
	}
	_, err = cmd.OutOrStdout().Write(out)
	return err
}

func signProfile(f *signFlags) (string, time.Duration, error) {
	switch f.profile {
	case "leaf":
		return template.LeafTemplate, leafValidity, nil
	case "csr":
		return template.CertificateRequestTemplate, leafValidity, nil
	case "intermediate-ca":
		if f.pathLen < 0 {
			return "", 0, cmdutil.Usagef("--path-len must be 0 or more")
		}
		return fmt.Sprintf(`{"subject": {{ toJson .Subject }}, "keyUsage": ["certSign", "crlSign"],
			"basicConstraints": {"isCA": true, "maxPathLen": %d}}`, f.pathLen), caValidity, nil
	}
	return "", 0, cmdutil.Usagef("--profile %q is not one of leaf, intermediate-ca, csr", f.profile)
}

// csrSANs lists the CSR's names, with its CN first unless omitted or
// already among them, as step's leaf profile does for `certificate sign`.
func csrSANs(cn string, csr *x509.CertificateRequest, omitCN bool) []template.SubjectAlternativeName {
	var names []string
	names = append(names, csr.DNSNames...)
	for _, ip := range csr.IPAddresses {
		names = append(names, ip.String())
	}
	names = append(names, csr.EmailAddresses...)
	for _, u := range csr.URIs {
		names = append(names, u.String())
	}
	if cn != "" && !omitCN && !slices.Contains(names, cn) {
		names = append([]string{cn}, names...)
	}
	return template.SANsFromStrings(names)
}
