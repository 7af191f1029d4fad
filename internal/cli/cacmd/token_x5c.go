package cacmd

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
	"github.com/stride-pki/stride/internal/client"
	"github.com/stride-pki/stride/internal/pemutil"
)

// registerX5C adds the flags that sign a token with a certificate's key for
// an X5C provisioner (ca token, ca certificate, ca sign, ca revoke).
func (f *provFlags) registerX5C(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.x5cCert, "x5c-cert", "", "a certificate (chain) `file`, leaf first, for an X5C provisioner: its key signs the token")
	fl.StringVar(&f.x5cKey, "x5c-key", "", "the private key `file` of --x5c-cert (encrypted keys read --password-file)")
	fl.StringVar(&f.x5cChain, "x5c-chain", "", "a `file` of intermediates appended to --x5c-cert in the token's x5c header")
	fl.BoolVar(&f.x5cInsecure, "x5c-insecure", false, "put the chain in the x5cInsecure header instead of x5c, as step does")
}

// checkX5C rejects X5C flags that cannot work together.
func (f *provFlags) checkX5C() error {
	switch {
	case f.x5cCert == "" && (f.x5cKey != "" || f.x5cChain != "" || f.x5cInsecure):
		return cmdutil.Usagef("--x5c-key, --x5c-chain and --x5c-insecure need --x5c-cert")
	case f.x5cCert != "" && f.x5cKey == "":
		return cmdutil.Usagef("--x5c-cert needs --x5c-key")
	case f.x5cCert != "" && (f.key != "" || f.kid != ""):
		return cmdutil.Usagef("--x5c-cert signs with the certificate's key: leave out --key and --kid")
	}
	return nil
}

// mintX5CToken picks the X5C provisioner (--provisioner, or the only one)
// and signs the token with the --x5c-key, the chain in the x5c header.
func (f *provFlags) mintX5CToken(cmd *cobra.Command, src *tokenSource, spec tokenSpec) (string, error) {
	p, err := f.chooseType(cmd, src.list, "X5C")
	if err != nil {
		return "", err
	}
	chain, err := pemutil.ReadCertificates(f.x5cCert)
	if err != nil {
		return "", err
	}
	if f.x5cChain != "" {
		more, err := pemutil.ReadCertificates(f.x5cChain)
		if err != nil {
			return "", err
		}
		chain = append(chain, more...)
	}
	key, err := cmdutil.ReadPrivateKey(cmd.InOrStdin(), cmd.ErrOrStderr(), f.x5cKey, f.passwordFile, "--password-file")
	if err != nil {
		return "", err
	}
	if !cmdutil.SamePublicKey(key.Public(), chain[0].PublicKey) {
		return "", cmdutil.Usagef("%s is not the private key of %s", f.x5cKey, f.x5cCert)
	}
	tok, err := client.NewX5CToken(spec.subject, client.X5CTokenOptions{
		Provisioner: p.Name, Chain: chain, Key: key, Audience: src.audience(spec.audience),
		RootSHA: src.rootSHA, SANs: spec.sans, NotBefore: spec.notBefore, NotAfter: spec.notAfter, Extra: spec.extra,
		Insecure: f.x5cInsecure,
	})
	if err != nil {
		return "", fmt.Errorf("the X5C token: %w", err)
	}
	return tok, nil
}
