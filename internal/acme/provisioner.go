package acme

import (
	"fmt"
	"slices"

	"github.com/stride-pki/stride/internal/config"
)

// Provisioner is an ACME provisioner's configuration as the core uses it.
type Provisioner struct {
	Name string
	// ID is the provisioner's token ID ("acme/<name>"), recorded with revocations.
	ID             string
	ForceCN        bool
	TermsOfService string
	Website        string
	CAAIdentities  []string
	RequireEAB     bool
	// Challenges are the enabled challenge types.
	Challenges []ChallengeType
	// Ignored are the configured challenge types this server does not offer.
	Ignored []string
	// Claims bound the certificate lifetime an order may ask for.
	Claims config.DurationRange
	// Profiles are the profiles orders may name (profile.go); nil: none.
	Profiles *Profiles
}

// defaultChallenges are offered when a provisioner lists none (step-ca's default).
var defaultChallenges = []ChallengeType{HTTP01, DNS01, TLSALPN01}

// NewProvisioner reads an ACME provisioner's ca.json object. Challenge
// types this server cannot validate (step-ca's device-attest-01, wire-*)
// are left out rather than refused, so a ca.json written for step-ca still
// loads; Ignored lists them for the server to log.
func NewProvisioner(id string, cfg config.Provisioner, claims config.EffectiveClaims) (*Provisioner, error) {
	f, err := cfg.ACME()
	if err != nil {
		return nil, fmt.Errorf("provisioner %q: %w", cfg.Name(), err)
	}
	p := &Provisioner{Name: cfg.Name(), ID: id, ForceCN: f.ForceCN, TermsOfService: f.TermsOfService,
		Website: f.Website, CAAIdentities: f.CAAIdentities, RequireEAB: f.RequireEAB, Claims: claims.TLS}
	for _, c := range f.Challenges {
		t := ChallengeType(c)
		if !slices.Contains(defaultChallenges, t) {
			p.Ignored = append(p.Ignored, c)
			continue
		}
		p.Challenges = append(p.Challenges, t)
	}
	if len(f.Challenges) == 0 {
		p.Challenges = slices.Clone(defaultChallenges)
	}
	if p.Profiles, err = newProvisionerProfiles(p.Name, f, p.Claims); err != nil {
		return nil, err
	}
	return p, nil
}

// enabled reports whether the provisioner offers challenge type t.
func (p *Provisioner) enabled(t ChallengeType) bool { return slices.Contains(p.Challenges, t) }
