package cacmd

import (
	"crypto/tls"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
	"github.com/stride-pki/stride/internal/client"
)

type revokeFlags struct {
	conn               connFlags
	prov               provFlags
	cert, key, token   string
	reason, reasonCode string
}

func newRevokeCmd() *cobra.Command {
	var f revokeFlags
	cmd := &cobra.Command{
		Use:   "revoke [SERIAL]",
		Short: "revoke a certificate",
		Long: `Revoke a certificate (POST /revoke). Revocation is passive: the CA records it and
refuses to renew or rekey the certificate, which stays valid until it expires.

With --cert and --key the certificate revokes itself over mTLS, and SERIAL is taken
from it. Otherwise SERIAL (decimal, or hex with 0x) is revoked with --token (from
` + "`stride ca token --revoke SERIAL`" + `) or with a token minted here, choosing the JWK
provisioner and reading its password as ` + "`stride ca token`" + ` does, or signed with
--x5c-cert/--x5c-key for an X5C provisioner (audience /1.0/revoke#x5c/<name>).

--reasonCode is a number (0-10) or a name, case and spaces ignored: unspecified,
keyCompromise ("key compromise"), caCompromise, affiliationChanged, superseded,
cessationOfOperation, certificateHold, removeFromCRL, privilegeWithdrawn,
aaCompromise. --reason is free text.`,
		Example: `  stride ca revoke 308893286343609293989051180431574390766 --provisioner-password-file pw.txt
  stride ca revoke --reason "laptop compromised" --reasonCode "key compromise" 3088932863436092939890
  stride ca revoke --cert mike.crt --key mike.key
  stride ca revoke --token "$(stride ca token --revoke 3088932863436092939890 --password-file pw.txt)" 3088932863436092939890`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			serial := ""
			if len(args) == 1 {
				serial = args[0]
			}
			return runRevoke(cmd, &f, serial)
		},
	}
	f.conn.register(cmd)
	f.prov.register(cmd, false)
	fl := cmd.Flags()
	fl.StringVar(&f.cert, "cert", "", "the certificate `file` to revoke over mTLS (with --key)")
	fl.StringVar(&f.cert, "crt", "", "alias of --cert")
	fl.StringVar(&f.key, "key", "", "the private key `file` of --cert")
	fl.StringVar(&f.token, "token", "", "a one-time revoke `token` (default: mint one)")
	fl.StringVar(&f.reason, "reason", "", "the reason for the revocation, as free `text`")
	fl.StringVar(&f.reasonCode, "reasonCode", "", "the reason `code`: a number from 0 to 10 or a name such as keyCompromise (default unspecified)")
	_ = fl.MarkHidden("crt")
	return cmd
}

func runRevoke(cmd *cobra.Command, f *revokeFlags, serial string) error {
	code, err := parseReasonCode(f.reasonCode)
	if err != nil {
		return err
	}
	if f.prov.offline {
		return cmdutil.Usagef("--offline revocation is not supported yet: revoke through the CA")
	}
	req := &client.RevokeRequest{ReasonCode: code, Reason: f.reason, Passive: true}
	var cert *tls.Certificate
	if f.cert != "" || f.key != "" {
		if cert, req.Serial, err = f.mtlsCert(cmd, serial); err != nil {
			return err
		}
	} else {
		if req.Serial, err = normalizeSerial(serial); err != nil {
			return err
		}
		if req.OTT, err = f.revokeToken(cmd, req.Serial); err != nil {
			return err
		}
	}
	c, err := f.conn.client(cmd)
	if err != nil {
		return err
	}
	if _, err := progress(cmd.ErrOrStderr(), "Waiting for the CA …", func() (*client.RevokeResponse, error) {
		return c.Revoke(ctxOf(cmd), req, cert)
	}); err != nil {
		return fmt.Errorf("the CA refused to revoke %s: %w", req.Serial, err)
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "Certificate with Serial Number %s has been revoked.\n", req.Serial)
	return nil
}

// mtlsCert reads --cert/--key; the serial is the certificate's own.
func (f *revokeFlags) mtlsCert(cmd *cobra.Command, serial string) (*tls.Certificate, string, error) {
	if f.cert == "" || f.key == "" {
		return nil, "", cmdutil.Usagef("--cert and --key go together")
	}
	if f.token != "" {
		return nil, "", cmdutil.Usagef("--token and --cert/--key exclude each other")
	}
	if f.prov.x5cCert != "" {
		return nil, "", cmdutil.Usagef("--x5c-cert mints a revoke token: leave out --cert/--key")
	}
	chain, key, err := loadPair(cmd, f.cert, f.key, f.prov.passwordFile)
	if err != nil {
		return nil, "", err
	}
	own := chain[0].SerialNumber.String()
	if serial != "" {
		if s, err := normalizeSerial(serial); err != nil || s != own {
			return nil, "", cmdutil.Usagef("SERIAL %s is not the serial number of %s (%s)", serial, f.cert, own)
		}
	}
	r := &renewer{chain: chain, key: key}
	return r.tlsCert(), own, nil
}

// revokeToken is --token, or a revoke token minted for serial.
func (f *revokeFlags) revokeToken(cmd *cobra.Command, serial string) (string, error) {
	if f.token != "" {
		return f.token, nil
	}
	return f.prov.mintToken(cmd, &f.conn, tokenSpec{subject: serial, audience: client.AudienceRevoke})
}

// normalizeSerial turns a decimal or 0x-hex serial into decimal, the form
// the CA stores and a revoke token's subject must match.
func normalizeSerial(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", cmdutil.Usagef("give the SERIAL to revoke, or --cert and --key")
	}
	n, ok := new(big.Int), false
	if h, isHex := strings.CutPrefix(strings.ToLower(s), "0x"); isHex {
		n, ok = n.SetString(h, 16)
	} else {
		n, ok = n.SetString(s, 10)
	}
	if !ok || n.Sign() < 0 {
		return "", cmdutil.Usagef("SERIAL %q is not a decimal or 0x-hex serial number", s)
	}
	return n.String(), nil
}

// reasonCodes are RFC 5280's CRLReason names (§5.3.1), lower-cased and
// without spaces; 7 is unused.
var reasonCodes = map[string]int{
	"unspecified": 0, "keycompromise": 1, "cacompromise": 2, "affiliationchanged": 3,
	"superseded": 4, "cessationofoperation": 5, "certificatehold": 6,
	"removefromcrl": 8, "privilegewithdrawn": 9, "aacompromise": 10,
}

// parseReasonCode reads --reasonCode: empty (0), a number 0..10, or a name in
// any case, with or without spaces, dashes or underscores.
func parseReasonCode(v string) (int, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, nil
	}
	if n, err := strconv.Atoi(v); err == nil {
		if n < 0 || n > 10 {
			return 0, cmdutil.Usagef("--reasonCode %d is out of range: use 0 to 10", n)
		}
		return n, nil
	}
	key := strings.ToLower(strings.NewReplacer(" ", "", "-", "", "_", "").Replace(v))
	if n, ok := reasonCodes[key]; ok {
		return n, nil
	}
	return 0, cmdutil.Usagef("--reasonCode %q is not a reason: use a number from 0 to 10 or a name such as keyCompromise or superseded", v)
}
