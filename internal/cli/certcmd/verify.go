package certcmd

import (
	"crypto/x509"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
)

type verifyOptions struct {
	host       string
	issuingCA  string
	verbose    bool
	verifyOCSP bool
	verifyCRL  bool
	remote     remoteFlags
}

func newVerifyCmd() *cobra.Command {
	var o verifyOptions
	cmd := &cobra.Command{
		Use:   "verify CRT_FILE|URL",
		Short: "verify a certificate chain",
		Long: `Verify a certificate with the RFC 5280 path validation algorithm. The first
certificate of CRT_FILE is the one checked; any others in the file (and those
of --issuing-ca) serve as intermediates. Trust anchors come from --roots (a
file, a comma-separated list of files, or a directory), else the system pool.

Prints nothing and exits 0 when the certificate is valid; prints one line and
exits 1 when it is not. Any extended key usage is accepted (a private CA issues
client as well as server certificates). OCSP and CRL checks are not
implemented yet: --verify-ocsp and --verify-crl are refused.`,
		Example: `  stride certificate verify leaf.crt --roots root_ca.crt
  stride certificate verify chain.crt --roots root_ca.crt --host app.internal
  stride certificate verify https://app.internal --roots root_ca.crt`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runVerify(cmd, args[0], o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.host, "host", "", "check that the certificate is valid for this host name or IP address")
	f.StringVar(&o.issuingCA, "issuing-ca", "", "file with the issuing CA certificate(s), added to the intermediates")
	f.BoolVarP(&o.verbose, "verbose", "v", false, "print a line when the certificate is valid")
	f.BoolVar(&o.verifyOCSP, "verify-ocsp", false, "check revocation with OCSP (not supported yet)")
	f.BoolVar(&o.verifyCRL, "verify-crl", false, "check revocation with the CRL (not supported yet)")
	f.String("ocsp-endpoint", "", "OCSP endpoint (not supported yet)")
	f.String("crl-endpoint", "", "CRL endpoint (not supported yet)")
	o.remote.register(cmd, true)
	return cmd
}

func runVerify(cmd *cobra.Command, arg string, o verifyOptions) error {
	if o.verifyOCSP || o.verifyCRL {
		return cmdutil.Usagef("--verify-ocsp and --verify-crl are not supported yet")
	}
	in, err := loadArg(cmd, arg, o.remote)
	if err != nil {
		return err
	}
	if in.csr != nil {
		if err := in.csr.CheckSignature(); err != nil {
			return fmt.Errorf("%s: the certificate request's signature is invalid: %w", arg, err)
		}
		return fmt.Errorf("%s: is a certificate request; verify needs a certificate", arg)
	}
	opts, err := verifyOptionsFor(in, o)
	if err != nil {
		return err
	}
	if _, err := in.certs[0].Verify(opts); err != nil {
		return fmt.Errorf("failed to verify certificate: %w", err)
	}
	if o.verbose {
		fmt.Fprintln(cmd.OutOrStdout(), "certificate is valid")
	}
	return nil
}

func verifyOptionsFor(in *input, o verifyOptions) (x509.VerifyOptions, error) {
	opts := x509.VerifyOptions{
		DNSName:       o.host,
		Intermediates: x509.NewCertPool(),
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	}
	for _, c := range in.certs[1:] {
		opts.Intermediates.AddCert(c)
	}
	if o.issuingCA != "" {
		cas, err := readCerts(o.issuingCA)
		if err != nil {
			return opts, err
		}
		for _, c := range cas {
			opts.Intermediates.AddCert(c)
		}
	}
	if o.remote.roots != "" {
		pool, err := loadRoots(o.remote.roots)
		if err != nil {
			return opts, err
		}
		opts.Roots = pool
	} else if _, err := x509.SystemCertPool(); err != nil {
		return opts, errors.New("no --roots given and the system trust store cannot be read: " + err.Error())
	}
	return opts, nil
}
