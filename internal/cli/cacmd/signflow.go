package cacmd

import (
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strings"

	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
	"github.com/stride-pki/stride/internal/cli/offline"
	"github.com/stride-pki/stride/internal/client"
	"github.com/stride-pki/stride/internal/config"
	"github.com/stride-pki/stride/internal/pemutil"
)

// signFlags are shared by `ca certificate` and `ca sign`: how the request is
// authorized (token or provisioner) and what it asks for.
type signFlags struct {
	conn                connFlags
	prov                provFlags
	token               string
	notBefore, notAfter string
	set                 []string
	setFile             string
	force               bool
}

func (f *signFlags) register(cmd *cobra.Command) {
	f.conn.register(cmd)
	f.prov.register(cmd, false)
	fl := cmd.Flags()
	fl.StringVar(&f.token, "token", "", "a one-time `token` from `stride ca token` (default: mint one)")
	fl.StringVar(&f.notBefore, "not-before", "", "when the certificate starts: RFC 3339 `time` or duration from now")
	fl.StringVar(&f.notAfter, "not-after", "", "when the certificate ends: RFC 3339 `time` or duration (e.g. 1h)")
	fl.StringArrayVar(&f.set, "set", nil, "template data `key=value` (repeatable)")
	fl.StringVar(&f.setFile, "set-file", "", "a JSON `file` of template data")
	fl.BoolVarP(&f.force, "force", "f", false, "overwrite existing files")
}

// check validates the flags before anything is created or fetched.
func (f *signFlags) check() error {
	return checkTimeFlags(map[string]string{"not-before": f.notBefore, "not-after": f.notAfter})
}

// sign gets a token (unless --token) and POSTs /sign; it returns the chain.
func (f *signFlags) sign(cmd *cobra.Command, csr *x509.CertificateRequest, subject string, sans []string) ([]*x509.Certificate, error) {
	data, err := userData(f.setFile, f.set)
	if err != nil {
		return nil, err
	}
	token := f.token
	if token == "" {
		spec := tokenSpec{subject: subject, audience: client.AudienceSign, sans: sans, extra: map[string]any{"user": map[string]any{}}}
		if token, err = f.prov.mintToken(cmd, &f.conn, spec); err != nil {
			return nil, err
		}
	}
	if f.prov.offline {
		return f.signOffline(cmd, csr, token, data)
	}
	c, err := f.conn.client(cmd)
	if err != nil {
		return nil, err
	}
	req := &client.SignRequest{CSR: string(pemutil.EncodeCSR(csr)), OTT: token, NotBefore: f.notBefore, NotAfter: f.notAfter}
	if len(data) > 0 {
		if req.TemplateData, err = json.Marshal(data); err != nil {
			return nil, err
		}
	}
	res, err := progress(cmd.ErrOrStderr(), "Waiting for the CA …", func() (*client.SignResponse, error) {
		return c.Sign(ctxOf(cmd), req)
	})
	if err != nil {
		return nil, fmt.Errorf("the CA refused to sign: %w", err)
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "✔ CA: %s\n", c.URL())
	return res.Chain()
}

// signOffline signs with the CA's own key from --ca-config, in process, as
// the CA would (token verified, certificate recorded in the CA's database).
// The intermediate key's password comes from --password-file, else ca.json's
// "password", else a prompt on a terminal.
func (f *signFlags) signOffline(cmd *cobra.Command, csr *x509.CertificateRequest, token string, data map[string]any) ([]*x509.Certificate, error) {
	paths, err := cmdutil.Paths(cmd)
	if err != nil {
		return nil, err
	}
	path := f.prov.caConfig
	if path == "" {
		path = paths.CAConfig()
	}
	cfg, err := config.Load(path)
	if err != nil {
		return nil, err
	}
	req := offline.Request{Config: cfg, Path: path, Base: paths.Authority, CSR: csr, OTT: token, NotBefore: f.notBefore, NotAfter: f.notAfter}
	if len(data) > 0 {
		if req.TemplateData, err = json.Marshal(data); err != nil {
			return nil, err
		}
	}
	if f.prov.passwordFile != "" {
		if req.Password, err = cmdutil.ReadPasswordFile(f.prov.passwordFile); err != nil {
			return nil, err
		}
	} else if p := cmdutil.NewPrompter(cmd.InOrStdin(), cmd.ErrOrStderr()); p != nil {
		req.Prompt = func(what string) ([]byte, error) { return p.Password("Please enter the password to decrypt " + what) }
	}
	chain, err := offline.Sign(ctxOf(cmd), req)
	if err != nil {
		return nil, fmt.Errorf("signing offline: %w", err)
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "✔ CA (offline): %s\n", path)
	return chain, nil
}

// splitSANs sorts names into the CSR's SAN kinds as step does: IPs, emails,
// URIs (with a scheme) and DNS names.
func splitSANs(sans []string, csr *x509.CertificateRequest) error {
	for _, s := range sans {
		switch {
		case net.ParseIP(s) != nil:
			csr.IPAddresses = append(csr.IPAddresses, net.ParseIP(s))
		case strings.Contains(s, "@") && !strings.Contains(s, "://"):
			if _, err := mail.ParseAddress(s); err != nil {
				return cmdutil.Usagef("--san %q is not a valid email address", s)
			}
			csr.EmailAddresses = append(csr.EmailAddresses, s)
		case strings.Contains(s, "://"):
			u, err := url.Parse(s)
			if err != nil {
				return cmdutil.Usagef("--san %q is not a valid URI", s)
			}
			csr.URIs = append(csr.URIs, u)
		default:
			csr.DNSNames = append(csr.DNSNames, s)
		}
	}
	return nil
}

// csrNames lists a CSR's SANs as the token's sans.
func csrNames(csr *x509.CertificateRequest) []string {
	out := append([]string{}, csr.DNSNames...)
	for _, ip := range csr.IPAddresses {
		out = append(out, ip.String())
	}
	out = append(out, csr.EmailAddresses...)
	for _, u := range csr.URIs {
		out = append(out, u.String())
	}
	return out
}
