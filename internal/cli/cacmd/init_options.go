package cacmd

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
	"github.com/stride-pki/stride/internal/config"
	"github.com/stride-pki/stride/internal/pemutil"
	"github.com/stride-pki/stride/internal/pki"
)

// The questions `stride ca init` asks on a terminal, in step's order.
const (
	askDeployment  = "What deployment type would you like to configure? (standalone)"
	askName        = "What would you like to name your new PKI? (e.g. Smallstep)"
	askDNS         = "What DNS names or IP addresses will clients use to reach your CA? (e.g. ca.example.com[,10.1.2.3,etc.])"
	askAddress     = "What IP and port will your new CA bind to? (:443 will bind to 0.0.0.0:443)"
	askProvisioner = "What would you like to name the CA's first provisioner? (e.g. you@smallstep.com)"
	askPassword    = "Choose a password for your CA keys and first provisioner.\n[leave empty and we'll generate one]"
)

// checkNoPKI refuses to overwrite an existing PKI unless --force.
func checkNoPKI(p config.Paths, force bool) error {
	if force {
		return nil
	}
	for _, path := range []string{p.CAConfig(), p.RootCert(), p.IntermediateKey()} {
		if _, err := os.Stat(path); err == nil {
			return fmt.Errorf("%s already holds a PKI (%s exists); use --force to overwrite it, or set STRIDEPATH to another folder", p.Authority, path)
		}
	}
	return nil
}

// gatherInitOptions turns flags (and, on a terminal, answers) into pki.Options.
func gatherInitOptions(cmd *cobra.Command, f *initFlags) (*pki.Options, error) {
	if f.deploymentType != "standalone" {
		return nil, cmdutil.Usagef("--deployment-type %q is not supported: only standalone is", f.deploymentType)
	}
	if f.pkiOnly && (f.acme || f.noDB) {
		return nil, cmdutil.Usagef("--pki writes no configuration: --acme and --no-db do not apply")
	}
	prompter := cmdutil.NewPrompter(cmd.InOrStdin(), cmd.ErrOrStderr())
	if prompter == nil {
		if missing := missingInitFlags(f); len(missing) > 0 {
			return nil, cmdutil.Usagef("not running on a terminal, so nothing can be asked: pass %s", strings.Join(missing, ", "))
		}
	} else if err := askInit(prompter, cmd, f); err != nil {
		return nil, err
	}
	opts := &pki.Options{
		Name: f.name, Address: f.address, Provisioner: f.provisioner,
		Kty: f.kty, Crv: f.crv, Size: f.size,
		SSH: f.ssh, ACME: f.acme, NoDB: f.noDB, PKIOnly: f.pkiOnly, DeploymentType: f.deploymentType,
	}
	var err error
	if opts.DNSNames, err = checkDNSNames(f.dns); err != nil {
		return nil, err
	}
	if err := readInitPasswords(prompter, cmd, f, opts); err != nil {
		return nil, err
	}
	if f.root != "" || f.key != "" {
		if err := readExistingRoot(prompter, f, opts); err != nil {
			return nil, err
		}
	}
	return opts, nil
}

func missingInitFlags(f *initFlags) []string {
	var missing []string
	add := func(empty bool, flag string) {
		if empty {
			missing = append(missing, flag)
		}
	}
	add(f.name == "", "--name")
	if !f.pkiOnly {
		add(len(f.dns) == 0, "--dns")
		add(f.address == "", "--address")
		add(f.provisioner == "", "--provisioner")
	}
	add(f.passwordFile == "", "--password-file")
	return missing
}

// askInit asks, on a terminal, for every answer the flags did not give.
func askInit(p *cmdutil.Prompter, cmd *cobra.Command, f *initFlags) error {
	var err error
	// Like step, the deployment type is asked first, in a fully interactive run.
	if !cmd.Flags().Changed("deployment-type") && !f.pkiOnly && f.name == "" {
		if f.deploymentType, err = p.Ask(askDeployment, "standalone"); err != nil {
			return err
		}
		if f.deploymentType != "standalone" {
			return cmdutil.Usagef("deployment type %q is not supported: only standalone is", f.deploymentType)
		}
	}
	questions := []struct {
		skip bool
		q    string
		def  string
		dst  *string
	}{
		{f.name != "", askName, "", &f.name},
		{f.pkiOnly || len(f.dns) > 0, askDNS, "", nil},
		{f.pkiOnly || f.address != "", askAddress, ":443", &f.address},
		{f.pkiOnly || f.provisioner != "", askProvisioner, "", &f.provisioner},
	}
	for _, q := range questions {
		if q.skip {
			continue
		}
		answer, err := askRequired(p, q.q, q.def)
		if err != nil {
			return err
		}
		if q.dst != nil {
			*q.dst = answer
		} else {
			f.dns = splitList(answer)
		}
	}
	return nil
}

func askRequired(p *cmdutil.Prompter, q, def string) (string, error) {
	for i := 0; i < 3; i++ {
		a, err := p.Ask(q, def)
		if err != nil {
			return "", err
		}
		if a != "" {
			return a, nil
		}
	}
	return "", errors.New("no answer given")
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		out = append(out, part)
	}
	return out
}

// readInitPasswords reads the CA and provisioner passwords from files or, on
// a terminal, asks; an empty answer generates a strong password printed once.
func readInitPasswords(p *cmdutil.Prompter, cmd *cobra.Command, f *initFlags, opts *pki.Options) error {
	var err error
	if f.passwordFile != "" {
		if opts.Password, err = cmdutil.ReadPasswordFile(f.passwordFile); err != nil {
			return err
		}
	} else {
		if opts.Password, err = p.Password(askPassword); err != nil {
			return err
		}
		if len(opts.Password) == 0 {
			if opts.Password, err = generatePassword(); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "✔ Password: %s\n", opts.Password)
		}
	}
	if f.provisionerPasswordFile != "" {
		if opts.ProvisionerPassword, err = cmdutil.ReadPasswordFile(f.provisionerPasswordFile); err != nil {
			return err
		}
	}
	return nil
}

// generatePassword returns 32 characters of base64url from 24 random bytes (192 bits).
func generatePassword() ([]byte, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	return []byte(base64.RawURLEncoding.EncodeToString(b)), nil
}

// checkDNSNames accepts IP addresses and RFC 1123 host names, lower-cased.
func checkDNSNames(names []string) ([]string, error) {
	var out []string
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		if ip := net.ParseIP(strings.Trim(n, "[]")); ip != nil {
			out = append(out, ip.String())
			continue
		}
		if !validHostname(n) {
			return nil, cmdutil.Usagef("--dns %q is not a valid DNS name or IP address", n)
		}
		out = append(out, strings.ToLower(n))
	}
	return out, nil
}

func validHostname(n string) bool {
	if len(n) == 0 || len(n) > 253 {
		return false
	}
	for _, label := range strings.Split(strings.TrimSuffix(n, "."), ".") {
		if len(label) == 0 || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}

// readExistingRoot loads --root and --key, and checks they belong together.
func readExistingRoot(p *cmdutil.Prompter, f *initFlags, opts *pki.Options) error {
	if f.root == "" || f.key == "" {
		return cmdutil.Usagef("--root and --key must be given together")
	}
	root, err := pemutil.ReadCertificate(f.root)
	if err != nil {
		return err
	}
	if !root.IsCA || root.KeyUsage&x509.KeyUsageCertSign == 0 {
		return fmt.Errorf("%s is not a CA certificate that may sign certificates", f.root)
	}
	var pw []byte
	if f.keyPasswordFile != "" {
		if pw, err = cmdutil.ReadPasswordFile(f.keyPasswordFile); err != nil {
			return err
		}
	}
	key, err := pemutil.ReadPrivateKey(f.key, pw)
	if errors.Is(err, pemutil.ErrPasswordRequired) && p != nil {
		if pw, err = p.Password("Please enter the password to decrypt " + f.key); err == nil {
			key, err = pemutil.ReadPrivateKey(f.key, pw)
		}
	}
	if errors.Is(err, pemutil.ErrPasswordRequired) {
		return fmt.Errorf("%s is encrypted: pass --key-password-file", f.key)
	}
	if err != nil {
		return err
	}
	if !publicKeysEqual(key.Public(), root.PublicKey) {
		return fmt.Errorf("%s is not the private key of %s", f.key, f.root)
	}
	opts.Root, opts.RootKey = root, key
	return nil
}

func publicKeysEqual(a, b crypto.PublicKey) bool {
	ea, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && ea.Equal(b)
}
