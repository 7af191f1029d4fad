package cacmd

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
	"github.com/stride-pki/stride/internal/client"
	"github.com/stride-pki/stride/internal/pemutil"
)

// hookFlags are what renew and rekey do after each new certificate:
// --exec a command, and signal --pid or the process of --pid-file.
type hookFlags struct {
	exec, pidFile string
	pid, signal   int
}

func (h *hookFlags) register(cmd *cobra.Command, done string) {
	fl := cmd.Flags()
	fl.StringVar(&h.exec, "exec", "", "a `command` to run (with /bin/sh -c) after the certificate has been "+done)
	fl.IntVar(&h.pid, "pid", 0, "the process `id` to signal after the certificate has been "+done)
	fl.StringVar(&h.pidFile, "pid-file", "", "a `file` holding the process id to signal after the certificate has been "+done)
	fl.IntVar(&h.signal, "signal", int(syscall.SIGHUP), "the signal `number` sent to --pid or --pid-file")
}

func (h *hookFlags) check() error {
	if h.signal < 1 || h.signal > 64 {
		return cmdutil.Usagef("--signal %d is not a signal number", h.signal)
	}
	if h.pid < 0 {
		return cmdutil.Usagef("--pid %d is not a process id", h.pid)
	}
	return nil
}

// run signals the process and runs the command; it reports failures on
// errw but never fails the renewal, which is already on disk.
func (h *hookFlags) run(ctx context.Context, out, errw io.Writer) {
	if err := h.sendSignal(); err != nil {
		fmt.Fprintf(errw, "warning: %v\n", err)
	}
	if h.exec == "" {
		return
	}
	c := exec.CommandContext(ctx, "/bin/sh", "-c", h.exec)
	c.Stdout, c.Stderr = out, errw
	if err := c.Run(); err != nil {
		fmt.Fprintf(errw, "warning: --exec %q failed: %v\n", h.exec, err)
	}
}

func (h *hookFlags) sendSignal() error {
	pid := h.pid
	if h.pidFile != "" {
		b, err := os.ReadFile(h.pidFile)
		if err != nil {
			return fmt.Errorf("reading --pid-file: %w", err)
		}
		if pid, err = strconv.Atoi(strings.TrimSpace(string(b))); err != nil || pid <= 0 {
			return fmt.Errorf("--pid-file %s does not hold a process id", h.pidFile)
		}
	}
	if pid == 0 {
		return nil
	}
	p, err := os.FindProcess(pid)
	if err == nil {
		err = p.Signal(syscall.Signal(h.signal))
	}
	if err != nil {
		return fmt.Errorf("sending signal %d to process %d: %w", h.signal, pid, err)
	}
	return nil
}

// renewer holds a certificate and its key, and renews or rekeys it with the
// CA, writing the results atomically (0600).
type renewer struct {
	c       *client.Client
	chain   []*x509.Certificate // leaf first
	key     crypto.Signer
	crtName string // CRT as given, for messages
	outCert string
	mtls    bool
	now     func() time.Time
}

// loadPair reads CRT (the chain) and KEY (decrypted with --password-file
// when needed) and checks that they belong together.
func loadPair(cmd *cobra.Command, crtFile, keyFile, passwordFile string) ([]*x509.Certificate, crypto.Signer, error) {
	chain, err := pemutil.ReadCertificates(crtFile)
	if err != nil {
		return nil, nil, err
	}
	key, err := cmdutil.ReadPrivateKey(cmd.InOrStdin(), cmd.ErrOrStderr(), keyFile, passwordFile, "--password-file")
	if err != nil {
		return nil, nil, err
	}
	if !cmdutil.SamePublicKey(key.Public(), chain[0].PublicKey) {
		return nil, nil, cmdutil.Usagef("%s is not the private key of %s", keyFile, crtFile)
	}
	return chain, key, nil
}

func (r *renewer) tlsCert() *tls.Certificate {
	c := &tls.Certificate{PrivateKey: r.key, Leaf: r.chain[0]}
	for _, x := range r.chain {
		c.Certificate = append(c.Certificate, x.Raw)
	}
	return c
}

// renew is one POST /renew: over mTLS, or with a bearer x5c renew token
// when --mtls=false or the certificate has expired (mTLS would fail).
func (r *renewer) renew(ctx context.Context) (*x509.Certificate, error) {
	var res *client.SignResponse
	var err error
	if r.mtls && r.now().Before(r.chain[0].NotAfter) {
		res, err = r.c.Renew(ctx, r.tlsCert())
	} else {
		var tok string
		if tok, err = client.NewRenewToken(r.chain, r.key, r.c.URL(), r.now()); err != nil {
			return nil, fmt.Errorf("signing the renew token: %w", err)
		}
		res, err = r.c.RenewWithToken(ctx, tok)
	}
	if err != nil {
		return nil, r.refused("renew", err)
	}
	chain, err := res.Chain()
	if err != nil {
		return nil, err
	}
	if err := cmdutil.WriteFile(r.outCert, pemutil.EncodeCertificates(chain...), 0o600); err != nil {
		return nil, err
	}
	r.chain = chain
	return chain[0], nil
}

// rekey is one POST /rekey over mTLS with a CSR for newKey; it writes the
// key to outKey (encrypted with password when not nil), then the chain.
func (r *renewer) rekey(ctx context.Context, newKey crypto.Signer, outKey string, password []byte) (*x509.Certificate, error) {
	leaf := r.chain[0]
	tmpl := &x509.CertificateRequest{Subject: leaf.Subject, DNSNames: leaf.DNSNames, IPAddresses: leaf.IPAddresses,
		EmailAddresses: leaf.EmailAddresses, URIs: leaf.URIs}
	der, err := x509.CreateCertificateRequest(rand.Reader, tmpl, newKey)
	if err != nil {
		return nil, fmt.Errorf("creating the CSR: %w", err)
	}
	csr, err := x509.ParseCertificateRequest(der)
	if err != nil {
		return nil, err
	}
	res, err := r.c.Rekey(ctx, r.tlsCert(), csr)
	if err != nil {
		return nil, r.refused("rekey", err)
	}
	chain, err := res.Chain()
	if err != nil {
		return nil, err
	}
	keyPEM, err := pemutil.EncodePrivateKey(newKey, password)
	if err != nil {
		return nil, err
	}
	if err := cmdutil.WriteFile(outKey, keyPEM, 0o600); err != nil {
		return nil, err
	}
	if err := cmdutil.WriteFile(r.outCert, pemutil.EncodeCertificates(chain...), 0o600); err != nil {
		return nil, err
	}
	r.chain, r.key = chain, newKey
	return chain[0], nil
}

// refused words a failed request: the CA's own message, and for an expired
// certificate what renewing it needs.
func (r *renewer) refused(verb string, err error) error {
	var cerr *client.Error
	if !errors.As(err, &cerr) {
		return fmt.Errorf("cannot %s %s: %w", verb, r.crtName, err)
	}
	leaf := r.chain[0]
	if r.now().After(leaf.NotAfter) {
		hint := "its provisioner must allow renewal after expiry (allowRenewalAfterExpiry)"
		if verb == "rekey" {
			hint = "rekey needs mTLS with a valid certificate: get a new certificate with `stride ca certificate`"
		}
		return fmt.Errorf("the CA refused to %s %s, which expired at %s: %s; %s",
			verb, r.crtName, leaf.NotAfter.UTC().Format(time.RFC3339), strings.TrimSuffix(err.Error(), "."), hint)
	}
	return fmt.Errorf("the CA refused to %s %s: %w", verb, r.crtName, err)
}

// confirmOverwrite lets a command replace existing files: with --force, in
// daemon mode, after a yes on a terminal, or not at all (naming --force).
func confirmOverwrite(cmd *cobra.Command, force bool, files ...string) error {
	if force {
		return nil
	}
	for _, f := range files {
		if _, err := os.Stat(f); err != nil {
			continue
		}
		p := cmdutil.NewPrompter(cmd.InOrStdin(), cmd.ErrOrStderr())
		if p == nil {
			return cmdutil.Usagef("%s already exists and this is not a terminal: pass --force to overwrite it", f)
		}
		ok, err := p.Confirm(fmt.Sprintf("Would you like to overwrite %s?", f))
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%s not overwritten: pass --force to overwrite it", f)
		}
	}
	return nil
}
