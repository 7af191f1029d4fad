package cacmd

import (
	"context"
	"crypto"
	"crypto/x509"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
	"github.com/stride-pki/stride/internal/keys"
)

type rekeyFlags struct {
	conn                        connFlags
	hooks                       hookFlags
	sched                       scheduleFlags
	outCert, outKey, privateKey string
	passwordFile, kty, crv      string
	size                        int
	force                       bool
}

func newRekeyCmd() *cobra.Command {
	var f rekeyFlags
	cmd := &cobra.Command{
		Use:   "rekey CRT_FILE KEY_FILE",
		Short: "get a certificate for a new key from the CA",
		Long: `Rekey CRT_FILE (POST /rekey over mTLS): the CA issues a certificate with the names
of the old one for a new key, generated with --kty/--crv/--size or read from
--private-key. The chain is written over CRT_FILE (or --out-cert) and the key over
KEY_FILE (or --out-key), atomically and 0600; with --password-file the new key is
encrypted with that password (which also opens an encrypted KEY_FILE).

--expires-in, --daemon, --rekey-period, --exec, --pid/--pid-file and --signal behave
as for ` + "`stride ca renew`" + `.`,
		Example: `  stride ca rekey --force internal.crt internal.key
  stride ca rekey --out-cert new.crt --out-key new.key internal.crt internal.key
  stride ca rekey --force --kty RSA --size 3072 internal.crt internal.key
  stride ca rekey --force --private-key next.key internal.crt internal.key`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRekey(cmd, &f, args[0], args[1])
		},
	}
	f.conn.register(cmd)
	f.hooks.register(cmd, "rekeyed")
	fl := cmd.Flags()
	fl.BoolVarP(&f.force, "force", "f", false, "overwrite the certificate and key files without asking")
	fl.StringVar(&f.outCert, "out-cert", "", "the `file` for the new certificate (default: CRT_FILE)")
	fl.StringVar(&f.outKey, "out-key", "", "the `file` for the new key (default: KEY_FILE)")
	fl.StringVar(&f.privateKey, "private-key", "", "an existing key `file` to use instead of generating one")
	fl.StringVar(&f.passwordFile, "password-file", "", "a `file` holding the password of the keys")
	fl.StringVar(&f.kty, "kty", "EC", "the new key's `type`: EC, OKP or RSA")
	fl.StringVar(&f.crv, "crv", "", "the `curve`: P-256 (default), P-384, P-521 for EC; Ed25519 for OKP")
	fl.StringVar(&f.crv, "curve", "", "alias of --crv")
	fl.IntVar(&f.size, "size", 2048, "the RSA key size in `bits`")
	_ = fl.MarkHidden("curve")
	registerSchedule(cmd, &f.sched, "rekey")
	return cmd
}

func runRekey(cmd *cobra.Command, f *rekeyFlags, crtFile, keyFile string) error {
	if err := f.sched.check("rekey"); err != nil {
		return err
	}
	if err := f.hooks.check(); err != nil {
		return err
	}
	outCert, outKey := orDefault(f.outCert, crtFile), orDefault(f.outKey, keyFile)
	chain, key, err := loadPair(cmd, crtFile, keyFile, f.passwordFile)
	if err != nil {
		return err
	}
	var password []byte
	if f.passwordFile != "" {
		if password, err = cmdutil.ReadPasswordFile(f.passwordFile); err != nil {
			return err
		}
	}
	r := &renewer{chain: chain, key: key, crtName: crtFile, outCert: outCert, mtls: true, now: time.Now}
	step := func(ctx context.Context) (*x509.Certificate, error) {
		newKey, err := f.newKey(cmd)
		if err != nil {
			return nil, err
		}
		return r.rekey(ctx, newKey, outKey, password)
	}
	if !f.sched.daemon {
		if skipped(cmd, chain[0], f.sched.expiresIn) {
			return nil
		}
		if err := confirmOverwrite(cmd, f.force, outCert, outKey); err != nil {
			return err
		}
	}
	if r.c, err = f.conn.client(cmd); err != nil {
		return err
	}
	if f.sched.daemon {
		return runDaemon(cmd, crtFile, f.sched, &f.hooks, chain[0], step)
	}
	if _, err := progress(cmd.ErrOrStderr(), "Waiting for the CA …", func() (*x509.Certificate, error) {
		return step(ctxOf(cmd))
	}); err != nil {
		return err
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "Your certificate has been saved in %s.\nYour private key has been saved in %s.\n", outCert, outKey)
	f.hooks.run(ctxOf(cmd), cmd.OutOrStdout(), cmd.ErrOrStderr())
	return nil
}

// newKey generates the next key, or reads --private-key.
func (f *rekeyFlags) newKey(cmd *cobra.Command) (crypto.Signer, error) {
	if f.privateKey != "" {
		return cmdutil.ReadPrivateKey(cmd.InOrStdin(), cmd.ErrOrStderr(), f.privateKey, f.passwordFile, "--password-file")
	}
	k, err := keys.Generate(f.kty, f.crv, f.size)
	if err != nil {
		return nil, cmdutil.Usagef("%v", err)
	}
	return k, nil
}
