package provisioner

import (
	"encoding/json"
	"math"
	"strings"
	"time"
)

// tokenClaims are the claims Stride acts on, read by exact member name (not
// encoding/json's case-insensitive matching) from the payload object.
type tokenClaims struct {
	Issuer   string
	Subject  string
	Audience []string // "aud" may be a string (step) or an array (RFC 7519)
	ID       string   // jti
	// Times are zero when absent.
	Expiry, NotBefore, IssuedAt time.Time
	SANs                        []string // nil when absent
	CNF                         string   // cnf.x5rt#S256
	// All holds every claim, for templates (.Token).
	All map[string]any
	// oddCase: a member that is "iss" or "aud" but for letter case, which
	// Lookup's case-insensitive peek would read where this parse does not.
	oddCase bool
}

// parseClaims decodes the payload. A registered claim of the wrong JSON type
// is an error rather than "absent": a checker must never skip a claim the
// signer meant to set.
func parseClaims(payload []byte) (tokenClaims, error) {
	var all map[string]any
	if json.Unmarshal(payload, &all) == nil && all != nil {
		if c, ok := claimsFromMap(all); ok {
			return c, nil
		}
	}
	return parseClaimsRaw(payload)
}

// parseClaimsRaw reads the claims member by member. It is the reference
// reading, and the one that words every error: claimsFromMap, which decodes
// the payload once, hands over to it whenever the token is not well formed.
func parseClaimsRaw(payload []byte) (tokenClaims, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(payload, &m); err != nil || m == nil {
		return tokenClaims{}, invalidToken("the payload is not a JSON object")
	}
	var c tokenClaims
	for name := range m {
		if name != "iss" && name != "aud" && (strings.EqualFold(name, "iss") || strings.EqualFold(name, "aud")) {
			c.oddCase = true
		}
	}
	for name, dst := range map[string]*string{"iss": &c.Issuer, "sub": &c.Subject, "jti": &c.ID} {
		if v, ok := m[name]; ok && json.Unmarshal(v, dst) != nil {
			return c, invalidToken("claim %q must be a string", name)
		}
	}
	if err := parseAudience(m["aud"], &c.Audience); err != nil {
		return c, err
	}
	for name, dst := range map[string]*time.Time{"exp": &c.Expiry, "nbf": &c.NotBefore, "iat": &c.IssuedAt} {
		if err := parseNumericDate(m, name, dst); err != nil {
			return c, err
		}
	}
	if v, ok := m["sans"]; ok && json.Unmarshal(v, &c.SANs) != nil {
		return c, invalidToken(`claim "sans" must be an array of strings`)
	}
	if v, ok := m["cnf"]; ok {
		var cnf map[string]json.RawMessage
		if json.Unmarshal(v, &cnf) != nil || (cnf["x5rt#S256"] != nil && json.Unmarshal(cnf["x5rt#S256"], &c.CNF) != nil) {
			return c, invalidToken(`claim "cnf" must be an object with a string "x5rt#S256"`)
		}
	}
	if err := json.Unmarshal(payload, &c.All); err != nil {
		return c, invalidToken("the payload is not a JSON object")
	}
	return c, nil
}

func parseAudience(raw json.RawMessage, dst *[]string) error {
	if raw == nil {
		return nil
	}
	var one string
	if json.Unmarshal(raw, &one) == nil {
		*dst = []string{one}
		return nil
	}
	if json.Unmarshal(raw, dst) != nil {
		return invalidToken(`claim "aud" must be a string or an array of strings`)
	}
	return nil
}

// parseNumericDate reads an RFC 7519 NumericDate: seconds since the epoch,
// possibly fractional. Values outside year 0..9999 are refused, so time
// arithmetic later cannot overflow.
func parseNumericDate(m map[string]json.RawMessage, name string, dst *time.Time) error {
	v, ok := m[name]
	if !ok {
		return nil
	}
	var f float64
	if json.Unmarshal(v, &f) != nil || math.IsNaN(f) || f < 0 || f > 253402300799 {
		return invalidToken("claim %q must be a date in seconds since 1970", name)
	}
	sec, frac := math.Modf(f)
	*dst = time.Unix(int64(sec), int64(frac*1e9)).UTC()
	return nil
}

// timeRules are the checks on a token's validity window.
type timeRules struct {
	Now    time.Time
	Leeway time.Duration
	// NotIssuedBefore, when set, refuses tokens with an earlier iat (and
	// tokens without iat, which could not prove they are newer).
	NotIssuedBefore time.Time
	// MaxLifetime caps exp minus the start of validity (nbf, else iat, else
	// now): step mints 5-minute tokens; a year-long one is a stolen key's friend.
	MaxLifetime time.Duration
}

// checkTimes applies r to c: exp is required, nbf and iat may not be in the
// future, and everything is compared with r.Leeway of clock skew.
func (c *tokenClaims) checkTimes(r timeRules) error {
	switch {
	case c.Expiry.IsZero():
		return invalidToken(`claim "exp" is required`)
	case r.Now.After(c.Expiry.Add(r.Leeway)):
		return invalidToken("token has expired")
	case !c.NotBefore.IsZero() && c.NotBefore.After(r.Now.Add(r.Leeway)):
		return invalidToken("token is not yet valid")
	case !c.IssuedAt.IsZero() && c.IssuedAt.After(r.Now.Add(r.Leeway)):
		return invalidToken("token was issued in the future")
	}
	if !r.NotIssuedBefore.IsZero() {
		if c.IssuedAt.IsZero() {
			return invalidToken(`claim "iat" is required`)
		}
		if c.IssuedAt.Before(r.NotIssuedBefore) {
			return invalidToken("token issued before the bootstrap of certificate authority")
		}
	}
	start := r.Now
	if !c.NotBefore.IsZero() {
		start = c.NotBefore
	} else if !c.IssuedAt.IsZero() {
		start = c.IssuedAt
	}
	if r.MaxLifetime > 0 && c.Expiry.Sub(start) > r.MaxLifetime {
		return invalidToken("token lifetime exceeds %v", r.MaxLifetime)
	}
	return nil
}
