package acme

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/stride-pki/stride/internal/config"
	"github.com/stride-pki/stride/internal/template"
)

// ACME profiles (draft-aaron-acme-profiles, as Let's Encrypt and pebble
// serve them): the directory's meta.profiles lists names with a
// description, a new-order may name one, and the order's certificate is
// built as that profile says. In Stride a profile picks an X.509 template
// and a validity; ca.json's ACME provisioner holds them ("profiles",
// "defaultProfile", see config.ACMEProfile), NewProvisioner reads them into
// Provisioner.Profiles, and finalize hands the resolved profile to the
// authority (authority.ACMESignRequest).

// ProbInvalidProfile: a new-order names a profile the directory does not
// offer (draft-aaron-acme-profiles, as Let's Encrypt answers it); 400.
const ProbInvalidProfile ProblemType = problemNS + "invalidProfile"

// Profile is what an order naming it gets.
type Profile struct {
	Name        string
	Description string
	// X509 is the profile's certificate template (inline, or a file the
	// authority reads relative to $STRIDEPATH); nil: the provisioner's own.
	X509 *config.TemplateOptions
	// Duration is the certificate's validity; 0: the provisioner's default.
	// Like a requested notAfter, it is held to the provisioner's claims at
	// issuance.
	Duration time.Duration
}

// Profiles are one ACME provisioner's profiles. A nil *Profiles has none.
// Safe for concurrent use (read-only after NewProfiles).
type Profiles struct {
	byName map[string]Profile
	def    string
}

// NewProfiles reads the provisioner's profiles from its ca.json fields. An
// inline template is parsed now, so that a broken one stops stride-ca at
// start-up instead of failing orders; a template file is the authority's
// to read (it knows $STRIDEPATH and caches the parsed template). It returns
// nil when the provisioner has no profiles.
func NewProfiles(provisioner string, f config.ACMEFields) (*Profiles, error) {
	if len(f.Profiles) == 0 {
		if f.DefaultProfile != "" {
			return nil, fmt.Errorf("provisioner %q: defaultProfile %q names no profile", provisioner, f.DefaultProfile)
		}
		return nil, nil
	}
	ps := &Profiles{byName: make(map[string]Profile, len(f.Profiles)), def: f.DefaultProfile}
	if _, ok := f.Profiles[ps.def]; ps.def != "" && !ok {
		return nil, fmt.Errorf("provisioner %q: defaultProfile %q names no profile", provisioner, ps.def)
	}
	for name, c := range f.Profiles {
		p, err := newProfile(name, c)
		if err != nil {
			return nil, fmt.Errorf("provisioner %q: profile %q: %w", provisioner, name, err)
		}
		ps.byName[name] = p
	}
	return ps, nil
}

func newProfile(name string, c config.ACMEProfile) (Profile, error) {
	p := Profile{Name: name, Description: c.Description}
	if strings.TrimSpace(name) == "" {
		return p, errors.New("a profile needs a name")
	}
	if c.Duration != nil {
		if p.Duration = c.Duration.Std(); p.Duration <= 0 {
			return p, errors.New("duration must be positive")
		}
	}
	switch {
	case c.Template != "" && c.TemplateFile != "":
		return p, errors.New("template and templateFile are exclusive")
	case c.TemplateFile != "":
		p.X509 = &config.TemplateOptions{TemplateFile: c.TemplateFile}
	case strings.TrimSpace(c.Template) != "":
		text, err := template.Source(c.Template, "", "")
		if err != nil {
			return p, err
		}
		if _, err := template.Parse("profile "+name, text); err != nil {
			return p, err
		}
		p.X509 = &config.TemplateOptions{Template: c.Template}
	}
	return p, nil
}

// Resolve returns the profile a new-order's "profile" member names; ""
// (the member absent) gets the default profile, or the zero Profile (the
// provisioner's own template and durations) when there is none. An unknown
// name is an invalidProfile problem, as Let's Encrypt answers it; finalize
// resolves the order's profile again, so a profile removed from ca.json in
// between fails the same way rather than issuing something else.
func (ps *Profiles) Resolve(name string) (Profile, error) {
	if name == "" {
		if ps == nil || ps.def == "" {
			return Profile{}, nil
		}
		name = ps.def
	}
	if ps != nil {
		if p, ok := ps.byName[name]; ok {
			return p, nil
		}
	}
	return Profile{}, problemf(ProbInvalidProfile, "profile %q is not offered; the directory's meta.profiles lists those that are (%s)",
		name, strings.Join(ps.Names(), ", "))
}

// Names lists the profiles' names, sorted.
func (ps *Profiles) Names() []string {
	if ps == nil {
		return nil
	}
	names := make([]string, 0, len(ps.byName))
	for n := range ps.byName {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Meta is the directory's meta.profiles: name → description (the draft's
// shape); nil when there are no profiles, so the member is omitted.
func (ps *Profiles) Meta() map[string]string {
	if ps == nil {
		return nil
	}
	m := make(map[string]string, len(ps.byName))
	for n, p := range ps.byName {
		m[n] = p.Description
	}
	return m
}

// newProvisionerProfiles reads the profiles of an ACME provisioner and
// holds their durations to its claims, so that a profile no order could
// ever be finalized with stops stride-ca at start-up.
func newProvisionerProfiles(name string, f config.ACMEFields, claims config.DurationRange) (*Profiles, error) {
	ps, err := NewProfiles(name, f)
	if err != nil {
		return nil, err
	}
	for _, n := range ps.Names() {
		d := ps.byName[n].Duration
		switch {
		case d == 0:
		case claims.Max > 0 && d > claims.Max:
			return nil, fmt.Errorf("provisioner %q: profile %q: duration %v is more than the maximum %v", name, n, d, claims.Max)
		case d < claims.Min:
			return nil, fmt.Errorf("provisioner %q: profile %q: duration %v is less than the minimum %v", name, n, d, claims.Min)
		}
	}
	return ps, nil
}
