package cacmd

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
	"github.com/stride-pki/stride/internal/config"
)

// editFlags are the flags of `provisioner add` and `update`, step's names.
// Only the flags the user gave change anything (cmd.Flags().Changed).
type editFlags struct {
	caFileFlags
	typ, name string

	// JWK
	create                              bool
	publicKey, privateKey, passwordFile string
	// X5C
	x5cRoots string
	// ACME
	challenges, removeChallenges                 []string
	attestationFormats, removeAttestationFormats []string
	attestationRoots                             []string
	requireEAB, forceCN                          bool
	// all types
	x509Template, x509TemplateData, sshTemplate, sshTemplateData string
	durations                                                    map[string]*string
	claimBools                                                   map[string]*bool
}

// durationClaims maps each duration flag to the claim it sets.
var durationClaims = []struct {
	flag string
	set  func(c *config.Claims, d *config.Duration)
}{
	{"x509-min-dur", func(c *config.Claims, d *config.Duration) { c.MinTLSDur = d }},
	{"x509-max-dur", func(c *config.Claims, d *config.Duration) { c.MaxTLSDur = d }},
	{"x509-default-dur", func(c *config.Claims, d *config.Duration) { c.DefaultTLSDur = d }},
	{"ssh-user-min-dur", func(c *config.Claims, d *config.Duration) { c.MinUserSSHDur = d }},
	{"ssh-user-max-dur", func(c *config.Claims, d *config.Duration) { c.MaxUserSSHDur = d }},
	{"ssh-user-default-dur", func(c *config.Claims, d *config.Duration) { c.DefaultUserSSHDur = d }},
	{"ssh-host-min-dur", func(c *config.Claims, d *config.Duration) { c.MinHostSSHDur = d }},
	{"ssh-host-max-dur", func(c *config.Claims, d *config.Duration) { c.MaxHostSSHDur = d }},
	{"ssh-host-default-dur", func(c *config.Claims, d *config.Duration) { c.DefaultHostSSHDur = d }},
}

// boolClaims maps each switch flag to the claim it sets.
var boolClaims = []struct {
	flag, usage string
	set         func(c *config.Claims, v *bool)
}{
	{"disable-renewal", "refuse renewals of this provisioner's certificates",
		func(c *config.Claims, v *bool) { c.DisableRenewal = v }},
	{"allow-renewal-after-expiry", "allow renewing expired certificates of this provisioner",
		func(c *config.Claims, v *bool) { c.AllowRenewalAfterExpiry = v }},
	{"disable-smallstep-extensions", "leave the provisioner extension out of its certificates",
		func(c *config.Claims, v *bool) { c.DisableSmallstepExtensions = v }},
	{"ssh", "allow SSH certificates (enableSSHCA); --ssh=false forbids them",
		func(c *config.Claims, v *bool) { c.EnableSSHCA = v }},
}

// typeFlags says which provisioner type each type-specific flag belongs to.
var typeFlags = map[string]string{
	"create": config.ProvisionerJWK, "public-key": config.ProvisionerJWK, "private-key": config.ProvisionerJWK,
	"x5c-roots": config.ProvisionerX5C, "x5c-root": config.ProvisionerX5C,
	"challenge": config.ProvisionerACME, "remove-challenge": config.ProvisionerACME,
	"attestation-format": config.ProvisionerACME, "remove-attestation-format": config.ProvisionerACME,
	"attestation-roots": config.ProvisionerACME, "require-eab": config.ProvisionerACME, "force-cn": config.ProvisionerACME,
}

func (f *editFlags) register(cmd *cobra.Command, update bool) {
	f.caFileFlags.register(cmd, true)
	fl := cmd.Flags()
	fl.BoolVar(&f.create, "create", false, "JWK: create a new EC P-256 key pair (kid = its thumbprint), encrypted with --password-file")
	fl.StringVar(&f.publicKey, "public-key", "", "JWK: the public key `file` (a JWK, or a PEM public key)")
	fl.StringVar(&f.privateKey, "private-key", "", "JWK: the private key `file` (JWK, encrypted JWK or PEM), stored encrypted")
	fl.StringVar(&f.passwordFile, "password-file", "", "the `file` with the password that encrypts (or decrypts) the JWK private key")
	fl.StringVar(&f.x5cRoots, "x5c-roots", "", "X5C: the PEM `file` of the root certificate(s) client certificates chain to")
	fl.StringVar(&f.x5cRoots, "x5c-root", "", "alias of --x5c-roots")
	_ = fl.MarkHidden("x5c-root")
	fl.StringArrayVar(&f.challenges, "challenge", nil, "ACME: enable `challenge` (http-01, dns-01, tls-alpn-01, device-attest-01; repeatable)")
	fl.StringArrayVar(&f.attestationFormats, "attestation-format", nil, "ACME: enable the attestation `format` (apple, step, tpm; repeatable)")
	fl.StringArrayVar(&f.attestationRoots, "attestation-roots", nil, "ACME: a PEM `file` of attestation roots (repeatable)")
	fl.BoolVar(&f.requireEAB, "require-eab", false, "ACME: require external account binding (--require-eab=false turns it off)")
	fl.BoolVar(&f.forceCN, "force-cn", false, "ACME: always set the common name (--force-cn=false turns it off)")
	if update {
		fl.StringVar(&f.name, "name", "", "rename the provisioner to `name`")
		fl.StringArrayVar(&f.removeChallenges, "remove-challenge", nil, "ACME: disable `challenge` (repeatable)")
		fl.StringArrayVar(&f.removeAttestationFormats, "remove-attestation-format", nil, "ACME: disable the attestation `format` (repeatable)")
	}
	fl.StringVar(&f.x509Template, "x509-template", "", "the X.509 template `file`, stored in ca.json (\"\" removes it)")
	fl.StringVar(&f.x509TemplateData, "x509-template-data", "", "a JSON `file` of data for the X.509 template (\"\" removes it)")
	fl.StringVar(&f.sshTemplate, "ssh-template", "", "the SSH template `file`, stored in ca.json (\"\" removes it)")
	fl.StringVar(&f.sshTemplateData, "ssh-template-data", "", "a JSON `file` of data for the SSH template (\"\" removes it)")
	f.durations = map[string]*string{}
	for _, d := range durationClaims {
		what := strings.ReplaceAll(strings.TrimSuffix(d.flag, "-dur"), "-", " ")
		f.durations[d.flag] = fl.String(d.flag, "", "the "+what+" `duration` of certificates, e.g. 24h")
	}
	f.claimBools = map[string]*bool{}
	for _, b := range boolClaims {
		f.claimBools[b.flag] = fl.Bool(b.flag, false, b.usage)
	}
}

// checkFlags refuses, before anything is created or asked, flags that do
// not fit the provisioner type and values that do not parse.
func (f *editFlags) checkFlags(cmd *cobra.Command, typ string) error {
	var err error
	cmd.Flags().Visit(func(fl *pflag.Flag) {
		if want, ok := typeFlags[fl.Name]; ok && want != typ && err == nil {
			err = cmdutil.Usagef("--%s applies to %s provisioners, not to %s", fl.Name, want, typ)
		}
	})
	if err != nil {
		return err
	}
	if err := f.checkClaimFlags(cmd); err != nil {
		return err
	}
	if typ == config.ProvisionerACME {
		return f.checkACMEValues()
	}
	if typ == config.ProvisionerJWK && f.create && (f.publicKey != "" || f.privateKey != "") {
		return cmdutil.Usagef("--create makes a new key: leave out --public-key and --private-key")
	}
	return nil
}

// parseDuration reads a duration flag: a Go duration, not negative.
func (f *editFlags) parseDuration(flag string) (*config.Duration, error) {
	v := *f.durations[flag]
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return nil, cmdutil.Usagef("--%s %q is not a duration such as 5m, 24h or 2160h", flag, v)
	}
	return config.NewDuration(d), nil
}

// checkClaimFlags parses every duration flag given, so that a bad value
// is a usage error before anything else happens.
func (f *editFlags) checkClaimFlags(cmd *cobra.Command) error {
	for _, d := range durationClaims {
		if cmd.Flags().Changed(d.flag) {
			if _, err := f.parseDuration(d.flag); err != nil {
				return err
			}
		}
	}
	return nil
}

// applyClaims sets the claims whose flags were given, leaving the others
// (and members Stride does not model) as they were.
func (f *editFlags) applyClaims(cmd *cobra.Command, p *config.Provisioner) error {
	var v struct {
		Claims *config.Claims `json:"claims,omitempty"`
	}
	if err := p.Decode(&v); err != nil {
		return fmt.Errorf("provisioner %q: claims: %w", p.Name(), err)
	}
	if v.Claims == nil {
		v.Claims = &config.Claims{}
	}
	changed := false
	for _, d := range durationClaims {
		if cmd.Flags().Changed(d.flag) {
			dur, err := f.parseDuration(d.flag)
			if err != nil {
				return err
			}
			d.set(v.Claims, dur)
			changed = true
		}
	}
	for _, b := range boolClaims {
		if cmd.Flags().Changed(b.flag) {
			val := *f.claimBools[b.flag]
			b.set(v.Claims, &val)
			changed = true
		}
	}
	if !changed {
		return nil
	}
	return p.Set(v)
}

// applyTemplates stores the given template files inline (options.x509 /
// options.ssh .template), as step does, and their data as JSON.
func (f *editFlags) applyTemplates(cmd *cobra.Command, p *config.Provisioner) error {
	fl := cmd.Flags()
	if !fl.Changed("x509-template") && !fl.Changed("x509-template-data") &&
		!fl.Changed("ssh-template") && !fl.Changed("ssh-template-data") {
		return nil
	}
	var v struct {
		Options *config.ProvisionerOptions `json:"options,omitempty"`
	}
	if err := p.Decode(&v); err != nil {
		return fmt.Errorf("provisioner %q: options: %w", p.Name(), err)
	}
	if v.Options == nil {
		v.Options = &config.ProvisionerOptions{}
	}
	var err error
	if v.Options.X509, err = f.template(cmd, v.Options.X509, "x509-template", f.x509Template, "x509-template-data", f.x509TemplateData); err != nil {
		return err
	}
	if v.Options.SSH, err = f.template(cmd, v.Options.SSH, "ssh-template", f.sshTemplate, "ssh-template-data", f.sshTemplateData); err != nil {
		return err
	}
	return p.Set(v)
}

func (f *editFlags) template(cmd *cobra.Command, t *config.TemplateOptions, tFlag, tFile, dFlag, dFile string) (*config.TemplateOptions, error) {
	fl := cmd.Flags()
	if !fl.Changed(tFlag) && !fl.Changed(dFlag) {
		return t, nil
	}
	if t == nil {
		t = &config.TemplateOptions{}
	}
	if fl.Changed(tFlag) {
		t.Template, t.TemplateFile = "", ""
		if tFile != "" {
			b, err := os.ReadFile(tFile)
			if err != nil {
				return nil, fmt.Errorf("--%s: %w", tFlag, err)
			}
			t.Template = string(b)
		}
	}
	if fl.Changed(dFlag) {
		t.TemplateData = nil
		if dFile != "" {
			b, err := os.ReadFile(dFile)
			if err != nil {
				return nil, fmt.Errorf("--%s: %w", dFlag, err)
			}
			var obj map[string]any
			if err := json.Unmarshal(b, &obj); err != nil {
				return nil, fmt.Errorf("--%s %s is not a JSON object: %v", dFlag, dFile, err)
			}
			t.TemplateData = json.RawMessage(b)
		}
	}
	return t, nil
}
