package cacmd

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
	"github.com/stride-pki/stride/internal/client"
	"github.com/stride-pki/stride/internal/pemutil"
)

type tokenFlags struct {
	conn                        connFlags
	prov                        provFlags
	sans, set                   []string
	setFile, output, format     string
	notBefore, notAfter         string
	certNotBefore, certNotAfter string
	revoke, renew, rekey, ssh   bool
	host                        bool
	principals                  []string
}

func newTokenCmd() *cobra.Command {
	var f tokenFlags
	cmd := &cobra.Command{
		Use:   "token SUBJECT",
		Short: "mint a one-time token for the CA",
		Long: `Mint the one-time token (a JWT signed by a JWK provisioner's key) that authorizes
one request to the CA, and print only the token on stdout.

SUBJECT is the certificate's common name, or the serial number with --revoke. The
provisioner list comes from the CA (or ca.json with --offline); the only JWK
provisioner is used without asking, several need --provisioner (or a choice on a
terminal). Its key is decrypted with --provisioner-password-file (or
--password-file, or a prompt), or --key gives the private key directly.

With --x5c-cert and --x5c-key the token is for an X5C provisioner instead (named by
--provisioner, or the only one): it is signed by the certificate's key and carries the
chain (plus --x5c-chain) in its x5c header; its audience ends in #x5c/<name>.

The token is valid for 5 minutes unless --not-before/--not-after say otherwise
(10 s to 1 h). --cert-not-before/--cert-not-after are accepted for step
compatibility; X.509 tokens do not carry them (pass them to ca sign instead).

With --ssh the token authorizes signing an SSH certificate (audience
<ca-url>/1.0/ssh/sign): SUBJECT is the certificate's key ID, --host makes it a host
certificate (user by default), --principal/-n (repeatable) lists the names it may
hold (none given: the CA decides), and --cert-not-before/--cert-not-after bound its
validity (the CA's defaults otherwise). --san does not apply. With --ssh and one of
--revoke, --renew or --rekey the token is for that SSH operation instead (audience
<ca-url>/1.0/ssh/revoke, …/ssh/renew, …/ssh/rekey; SUBJECT is the certificate's serial
number for --revoke) and carries no certificate contents: --host, --principal and
--cert-not-before/--cert-not-after are ignored with a warning.

With --offline the provisioner comes from --ca-config, and the audience is the one
step's offline tokens carry: https:// and the first dnsNames entry of ca.json, then the
endpoint path without /1.0 and without a port (https://ca.internal/sign); --ca-url is
used only when ca.json has no dnsNames.`,
		Example: `  stride ca token internal.example.com --provisioner-password-file pw.txt
  TOKEN=$(stride ca token svc.internal --san svc.internal --san 10.0.0.7 --password-file pw.txt)
  stride ca token 1234567890 --revoke --provisioner admin --password-file pw.txt
  stride ca token svc.internal --offline --ca-config ~/.stride/config/ca.json --password-file pw.txt
  stride ca token svc.internal --password-file pw.txt --format json   # {"token": "eyJ…"}
  stride ca token svc.internal --provisioner x5c --x5c-cert device.crt --x5c-key device.key
  stride ca token alice@example.com --ssh -n alice -n admin --cert-not-after 8h --password-file pw.txt
  stride ca token web1.internal --ssh --host -n web1.internal --password-file pw.txt
  stride ca token 2658045881617254836 --ssh --revoke --password-file pw.txt`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runToken(cmd, &f, args[0])
		},
	}
	f.conn.register(cmd)
	f.prov.register(cmd, true)
	fl := cmd.Flags()
	fl.StringArrayVar(&f.sans, "san", nil, "a DNS name, IP, email or URI the certificate may hold (repeatable; default: SUBJECT)")
	fl.StringVar(&f.notBefore, "not-before", "", "when the token starts to be valid: RFC 3339 `time` or duration from now")
	fl.StringVar(&f.notAfter, "not-after", "", "when the token expires: RFC 3339 `time` or duration after --not-before (default 5m)")
	fl.StringVar(&f.certNotBefore, "cert-not-before", "", "the certificate's start (SSH tokens only; accepted for step compatibility)")
	fl.StringVar(&f.certNotAfter, "cert-not-after", "", "the certificate's end (SSH tokens only; accepted for step compatibility)")
	fl.BoolVar(&f.revoke, "revoke", false, "a token for revoking: SUBJECT is the serial number")
	fl.BoolVar(&f.renew, "renew", false, "a token for renewing: with --ssh, or an X5C token (--x5c-cert)")
	fl.BoolVar(&f.rekey, "rekey", false, "a token for rekeying")
	fl.BoolVar(&f.ssh, "ssh", false, "a token for signing an SSH certificate: SUBJECT is its key ID")
	fl.BoolVar(&f.host, "host", false, "with --ssh: a host certificate instead of a user certificate")
	fl.StringArrayVarP(&f.principals, "principal", "n", nil, "with --ssh: a user or host `name` the certificate may hold (repeatable; default: the CA decides)")
	fl.StringArrayVar(&f.set, "set", nil, "a `key=value` of the token's user data (repeatable)")
	fl.StringVar(&f.setFile, "set-file", "", "a JSON `file` of the token's user data")
	fl.StringVar(&f.output, "output-file", "", "write the token to this `file` instead of stdout")
	cmdutil.FormatFlag(cmd, &f.format)
	return cmd
}

func runToken(cmd *cobra.Command, f *tokenFlags, subject string) error {
	asJSON, err := cmdutil.WantJSON(f.format)
	if err != nil {
		return err
	}
	if asJSON && f.output != "" {
		return cmdutil.Usagef("--format json prints on stdout: leave out --output-file, which always gets the bare token")
	}
	spec, err := f.spec(cmd.ErrOrStderr(), subject)
	if err != nil {
		return err
	}
	token, err := f.prov.mintToken(cmd, &f.conn, spec)
	if err != nil {
		return err
	}
	if f.output != "" {
		return cmdutil.WriteFile(f.output, []byte(token+"\n"), 0o600)
	}
	if asJSON {
		return cmdutil.PrintJSON(cmd.OutOrStdout(), map[string]string{"token": token})
	}
	_, err = fmt.Fprintln(cmd.OutOrStdout(), token)
	return err
}

// spec turns the flags into the token's audience, names and validity.
// Notes about flags that do not apply go to warn.
func (f *tokenFlags) spec(warn io.Writer, subject string) (tokenSpec, error) {
	op, err := f.operation()
	if err != nil {
		return tokenSpec{}, err
	}
	if f.ssh {
		return f.sshSpec(warn, subject, op)
	}
	if f.host || len(f.principals) > 0 {
		return tokenSpec{}, cmdutil.Usagef("--host and --principal need --ssh")
	}
	if op == "renew" && f.prov.x5cCert == "" {
		// A CA renews an X.509 certificate over mTLS or with a token signed by
		// the certificate's key, never with a JWK provisioner token: step
		// refuses this combination too.
		return tokenSpec{}, cmdutil.Usagef("--renew without --ssh needs --x5c-cert/--x5c-key (or renew with stride ca renew)")
	}
	s := tokenSpec{subject: subject, audience: client.AudienceSign}
	switch op {
	case "revoke":
		s.audience = client.AudienceRevoke
	case "renew":
		s.audience = client.AudienceRenew
	case "rekey":
		s.audience = client.AudienceRekey
	}
	if err := checkTimeFlags(map[string]string{"cert-not-before": f.certNotBefore, "cert-not-after": f.certNotAfter}); err != nil {
		return s, err
	}
	if err := s.window(f.notBefore, f.notAfter); err != nil {
		return s, err
	}
	if s.audience == client.AudienceSign {
		s.sans = orSubject(f.sans, subject)
		user, err := userData(f.setFile, f.set)
		if err != nil {
			return s, err
		}
		s.extra = map[string]any{"user": user}
	}
	return s, nil
}

// operation is "revoke", "renew", "rekey" or "" (sign); the three flags
// exclude each other.
func (f *tokenFlags) operation() (string, error) {
	op := ""
	for _, v := range []struct {
		on   bool
		name string
	}{{f.revoke, "revoke"}, {f.renew, "renew"}, {f.rekey, "rekey"}} {
		if !v.on {
			continue
		}
		if op != "" {
			return "", cmdutil.Usagef("--revoke, --renew and --rekey exclude each other")
		}
		op = v.name
	}
	return op, nil
}

// sshSpec is the spec of an SSH token. A sign token (op "") has audience
// /1.0/ssh/sign, no sans, and the step.ssh claim with the key ID (SUBJECT),
// the certificate type, the principals and the certificate's bounds from
// --cert-not-before/after. A revoke, renew or rekey token has audience
// /1.0/ssh/<op> and nothing but the standard claims (SUBJECT is the
// certificate's serial for revoke), as step's: the certificate flags do not
// apply to it and are reported as ignored.
func (f *tokenFlags) sshSpec(warn io.Writer, subject, op string) (tokenSpec, error) {
	if len(f.sans) > 0 {
		return tokenSpec{}, cmdutil.Usagef("--ssh and --san exclude each other: name the certificate's principals with --principal")
	}
	if op != "" {
		s := tokenSpec{subject: subject, audience: map[string]string{
			"revoke": client.AudienceSSHRevoke, "renew": client.AudienceSSHRenew, "rekey": client.AudienceSSHRekey}[op]}
		var ignored []string
		for _, v := range []struct {
			set  bool
			name string
		}{{f.host, "--host"}, {len(f.principals) > 0, "--principal"}, {f.certNotBefore != "", "--cert-not-before"},
			{f.certNotAfter != "", "--cert-not-after"}, {len(f.set) > 0, "--set"}, {f.setFile != "", "--set-file"}} {
			if v.set {
				ignored = append(ignored, v.name)
			}
		}
		if len(ignored) > 0 {
			fmt.Fprintf(warn, "warning: %s ignored: an SSH %s token names no certificate contents\n", strings.Join(ignored, ", "), op)
		}
		return s, s.window(f.notBefore, f.notAfter)
	}
	s := tokenSpec{subject: subject, audience: client.AudienceSSHSign}
	if err := s.window(f.notBefore, f.notAfter); err != nil {
		return s, err
	}
	after, err := client.SSHTimeText(f.certNotBefore)
	if err != nil {
		return s, cmdutil.Usagef("--cert-not-before %q: %v", f.certNotBefore, err)
	}
	before, err := client.SSHTimeText(f.certNotAfter)
	if err != nil {
		return s, cmdutil.Usagef("--cert-not-after %q: %v", f.certNotAfter, err)
	}
	certType := client.SSHUserCert
	if f.host {
		certType = client.SSHHostCert
	}
	step, err := client.SSHSignClaim(certType, subject, f.principals, after, before)
	if err != nil {
		return s, err
	}
	s.extra = map[string]any{"step": step}
	return s, nil
}

// window parses the token's own --not-before/--not-after.
func (s *tokenSpec) window(notBefore, notAfter string) error {
	now := time.Now()
	var err error
	if s.notBefore, err = cmdutil.ParseTime("not-before", notBefore, now); err != nil {
		return err
	}
	base := now
	if !s.notBefore.IsZero() {
		base = s.notBefore
	}
	s.notAfter, err = cmdutil.ParseTime("not-after", notAfter, base)
	return err
}

func orSubject(sans []string, subject string) []string {
	if len(sans) > 0 {
		return sans
	}
	return []string{subject}
}

// checkTimeFlags validates time|duration flags that are passed on as text.
func checkTimeFlags(flags map[string]string) error {
	for name, v := range flags {
		if _, err := cmdutil.ParseTime(name, v, time.Now()); err != nil {
			return err
		}
	}
	return nil
}

// userData merges --set-file and then --set into one JSON object.
func userData(setFile string, sets []string) (map[string]any, error) {
	out := map[string]any{}
	if setFile != "" {
		b, err := pemutil.ReadFile(setFile)
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(b, &out); err != nil {
			return nil, fmt.Errorf("%s is not a JSON object: %v", setFile, err)
		}
	}
	m, err := cmdutil.ParseSetFlags(sets)
	if err != nil {
		return nil, err
	}
	for k, v := range m {
		out[k] = v
	}
	return out, nil
}
