package cacmd

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
	"github.com/stride-pki/stride/internal/config"
	"github.com/stride-pki/stride/internal/pemutil"
)

// editableTypes are the provisioner types whose own members Stride edits;
// the claims and templates of any type can be updated.
var editableTypes = []string{config.ProvisionerJWK, config.ProvisionerX5C, config.ProvisionerACME}

var (
	acmeChallenges   = []string{"http-01", "dns-01", "tls-alpn-01", "device-attest-01"}
	acmeAttestations = []string{"apple", "step", "tpm"}
)

// apply edits p with every flag given, in a fixed order: claims,
// templates, then the members of its type.
func (f *editFlags) apply(cmd *cobra.Command, p *config.Provisioner, typ string, add bool) error {
	if err := f.applyClaims(cmd, p); err != nil {
		return err
	}
	if err := f.applyTemplates(cmd, p); err != nil {
		return err
	}
	switch typ {
	case config.ProvisionerJWK:
		return f.applyJWK(cmd, p, add)
	case config.ProvisionerX5C:
		return f.applyX5C(cmd, p, add)
	case config.ProvisionerACME:
		return f.applyACME(cmd, p)
	}
	return nil
}

// applyX5C stores the roots (base64 of the PEM in ca.json, as step does).
func (f *editFlags) applyX5C(cmd *cobra.Command, p *config.Provisioner, add bool) error {
	if !cmd.Flags().Changed("x5c-roots") && !cmd.Flags().Changed("x5c-root") {
		if add {
			return cmdutil.Usagef("an X5C provisioner needs --x5c-roots with the PEM root certificate(s) of its clients")
		}
		return nil
	}
	roots, err := readRoots("--x5c-roots", f.x5cRoots)
	if err != nil {
		return err
	}
	return p.Set(config.X5CFields{Roots: roots})
}

// readRoots reads PEM or DER certificates and returns them as PEM.
func readRoots(flag string, paths ...string) ([]byte, error) {
	var out []byte
	for _, path := range paths {
		if path == "" {
			return nil, cmdutil.Usagef("%s needs a file", flag)
		}
		data, err := pemutil.ReadFile(path)
		if err != nil {
			return nil, err
		}
		certs, err := pemutil.ParseCertificates(data)
		if err != nil || len(certs) == 0 {
			return nil, fmt.Errorf("%s %s holds no certificate: %v", flag, path, err)
		}
		out = append(out, pemutil.EncodeCertificates(certs...)...)
	}
	return out, nil
}

// checkACMEValues refuses unknown challenge and attestation names.
func (f *editFlags) checkACMEValues() error {
	for _, c := range append(append([]string{}, f.challenges...), f.removeChallenges...) {
		if !contains(acmeChallenges, strings.ToLower(c)) {
			return cmdutil.Usagef("unknown ACME challenge %q: use %s", c, strings.Join(acmeChallenges, ", "))
		}
	}
	for _, a := range append(append([]string{}, f.attestationFormats...), f.removeAttestationFormats...) {
		if !contains(acmeAttestations, strings.ToLower(a)) {
			return cmdutil.Usagef("unknown attestation format %q: use %s", a, strings.Join(acmeAttestations, ", "))
		}
	}
	return nil
}

// applyACME adds and removes challenges and attestation formats and sets
// the switches given. Members at their default (false, empty) are removed
// rather than written, as step-ca reads them the same.
func (f *editFlags) applyACME(cmd *cobra.Command, p *config.Provisioner) error {
	cur, err := p.ACME()
	if err != nil {
		return fmt.Errorf("provisioner %q: %w", p.Name(), err)
	}
	fl := cmd.Flags()
	if fl.Changed("challenge") || fl.Changed("remove-challenge") {
		if err := setMember(p, "challenges", editList(cur.Challenges, f.challenges, f.removeChallenges)); err != nil {
			return err
		}
	}
	if fl.Changed("attestation-format") || fl.Changed("remove-attestation-format") {
		list := editList(cur.AttestationFormats, f.attestationFormats, f.removeAttestationFormats)
		if err := setMember(p, "attestationFormats", list); err != nil {
			return err
		}
	}
	if fl.Changed("attestation-roots") {
		roots, err := readRoots("--attestation-roots", f.attestationRoots...)
		if err != nil {
			return err
		}
		if err := setMember(p, "attestationRoots", roots); err != nil {
			return err
		}
	}
	if fl.Changed("require-eab") {
		if err := setMember(p, "requireEAB", f.requireEAB); err != nil {
			return err
		}
	}
	if fl.Changed("force-cn") {
		return setMember(p, "forceCN", f.forceCN)
	}
	return nil
}

// editList returns cur plus add minus remove, lower-cased, in order, once each.
func editList(cur, add, remove []string) []string {
	var out []string
	for _, s := range append(append([]string{}, cur...), add...) {
		s = strings.ToLower(s)
		if !contains(out, s) && !containsFold(remove, s) {
			out = append(out, s)
		}
	}
	return out
}

// setMember sets one member of p, or removes it when v is false or empty.
func setMember(p *config.Provisioner, key string, v any) error {
	switch v := v.(type) {
	case bool:
		if !v {
			return p.Delete(key)
		}
	case []string:
		if len(v) == 0 {
			return p.Delete(key)
		}
	case []byte:
		if len(v) == 0 {
			return p.Delete(key)
		}
	}
	return p.Set(map[string]any{key: v})
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}
