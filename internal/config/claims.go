package config

import (
	"fmt"
	"time"
)

// Claims bound certificate lifetimes and switch features, authority-wide in
// authority.claims and per provisioner in its "claims" (reference §3.3).
// Pointers tell "not set" (inherit) from an explicit zero or false.
type Claims struct {
	MinTLSDur                  *Duration `json:"minTLSCertDuration,omitempty"`
	MaxTLSDur                  *Duration `json:"maxTLSCertDuration,omitempty"`
	DefaultTLSDur              *Duration `json:"defaultTLSCertDuration,omitempty"`
	MinUserSSHDur              *Duration `json:"minUserSSHCertDuration,omitempty"`
	MaxUserSSHDur              *Duration `json:"maxUserSSHCertDuration,omitempty"`
	DefaultUserSSHDur          *Duration `json:"defaultUserSSHCertDuration,omitempty"`
	MinHostSSHDur              *Duration `json:"minHostSSHCertDuration,omitempty"`
	MaxHostSSHDur              *Duration `json:"maxHostSSHCertDuration,omitempty"`
	DefaultHostSSHDur          *Duration `json:"defaultHostSSHCertDuration,omitempty"`
	EnableSSHCA                *bool     `json:"enableSSHCA,omitempty"`
	DisableRenewal             *bool     `json:"disableRenewal,omitempty"`
	AllowRenewalAfterExpiry    *bool     `json:"allowRenewalAfterExpiry,omitempty"`
	DisableSmallstepExtensions *bool     `json:"disableSmallstepExtensions,omitempty"`
	Extra                      Extra     `json:"-"`
}

func (c Claims) MarshalJSON() ([]byte, error) {
	type plain Claims
	return marshalWithExtra(plain(c), c.Extra)
}

// DurationRange is one min/default/max triple of lifetimes.
type DurationRange struct{ Min, Default, Max time.Duration }

// EffectiveClaims are the claims a provisioner enforces once its own claims,
// the authority's and the built-in defaults are merged.
type EffectiveClaims struct {
	TLS, UserSSH, HostSSH      DurationRange
	EnableSSHCA                bool
	DisableRenewal             bool
	AllowRenewalAfterExpiry    bool
	DisableSmallstepExtensions bool
}

// DefaultClaims are step-ca's global defaults (reference §3.3).
func DefaultClaims() EffectiveClaims {
	return EffectiveClaims{
		TLS:     DurationRange{Min: 5 * time.Minute, Default: 24 * time.Hour, Max: 24 * time.Hour},
		UserSSH: DurationRange{Min: 5 * time.Minute, Default: 16 * time.Hour, Max: 24 * time.Hour},
		HostSSH: DurationRange{Min: 5 * time.Minute, Default: 720 * time.Hour, Max: 720 * time.Hour},
	}
}

// ranges lists the duration triples of c beside their JSON names, so that
// validation and merging walk them the same way.
func (c *Claims) ranges() []claimRange {
	return []claimRange{
		{"TLSCertDuration", c.MinTLSDur, c.DefaultTLSDur, c.MaxTLSDur},
		{"UserSSHCertDuration", c.MinUserSSHDur, c.DefaultUserSSHDur, c.MaxUserSSHDur},
		{"HostSSHCertDuration", c.MinHostSSHDur, c.DefaultHostSSHDur, c.MaxHostSSHDur},
	}
}

type claimRange struct {
	suffix        string
	min, def, max *Duration
}

// MergeClaims layers the authority's claims over the defaults and a
// provisioner's over those. As step does, a provisioner that sets only a
// default outside the inherited range stretches the range to include it;
// what remains must satisfy min <= default <= max.
func MergeClaims(authority, prov *Claims) (EffectiveClaims, error) {
	e := DefaultClaims()
	out := []*DurationRange{&e.TLS, &e.UserSSH, &e.HostSSH}
	for _, c := range []*Claims{authority, prov} {
		if c == nil {
			continue
		}
		for i, r := range c.ranges() {
			mergeRange(out[i], r)
		}
		setBool(&e.EnableSSHCA, c.EnableSSHCA)
		setBool(&e.DisableRenewal, c.DisableRenewal)
		setBool(&e.AllowRenewalAfterExpiry, c.AllowRenewalAfterExpiry)
		setBool(&e.DisableSmallstepExtensions, c.DisableSmallstepExtensions)
	}
	for i, r := range (&Claims{}).ranges() {
		d := out[i]
		if d.Min > d.Default || d.Default > d.Max {
			return e, fmt.Errorf("claims: need min%s (%v) <= default%s (%v) <= max%s (%v)",
				r.suffix, d.Min, r.suffix, d.Default, r.suffix, d.Max)
		}
	}
	return e, nil
}

func mergeRange(d *DurationRange, r claimRange) {
	if r.min != nil {
		d.Min = r.min.Std()
	}
	if r.max != nil {
		d.Max = r.max.Std()
	}
	if r.def == nil {
		return
	}
	d.Default = r.def.Std()
	if r.min == nil && d.Default < d.Min {
		d.Min = d.Default
	}
	if r.max == nil && d.Default > d.Max {
		d.Max = d.Default
	}
}

func setBool(dst *bool, v *bool) {
	if v != nil {
		*dst = *v
	}
}

// validate checks one claims object on its own: durations not negative,
// and min <= default <= max among those it sets.
func (c *Claims) validate(field string, errs *problems) {
	if c == nil {
		return
	}
	for _, r := range c.ranges() {
		for _, d := range []struct {
			prefix string
			v      *Duration
		}{{"min", r.min}, {"default", r.def}, {"max", r.max}} {
			if d.v != nil && *d.v < 0 {
				errs.add(field+"."+d.prefix+r.suffix, "must not be negative")
			}
		}
		if r.min != nil && r.def != nil && *r.min > *r.def {
			errs.add(field+".min"+r.suffix, "greater than default"+r.suffix)
		}
		if r.def != nil && r.max != nil && *r.def > *r.max {
			errs.add(field+".default"+r.suffix, "greater than max"+r.suffix)
		}
		if r.min != nil && r.max != nil && *r.min > *r.max {
			errs.add(field+".min"+r.suffix, "greater than max"+r.suffix)
		}
	}
}
