package policy

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/net/idna"
)

// RFC 1035 §2.3.4 limits, applied to the A-label (ASCII) form.
const (
	maxDomainLen = 253
	maxLabelLen  = 63
)

// domain is a normalised DNS name: lower-case ASCII labels, leftmost first.
// A wildcard name keeps "*" as its first label, so it only ever matches a
// rule label-for-label like any other name.
type domain struct {
	labels   []string
	wildcard bool
}

// parseDomainName parses a requested DNS name (a SAN, an ACME identifier, a
// host principal). A leading "*." is a literal wildcard name; "*" anywhere
// else makes the name malformed.
func parseDomainName(s string) (domain, error) {
	rest, wildcard := strings.CutPrefix(s, "*.")
	labels, err := domainLabels(rest)
	if err != nil {
		return domain{}, err
	}
	if wildcard {
		labels = append([]string{"*"}, labels...)
	}
	return domain{labels: labels, wildcard: wildcard}, nil
}

// domainLabels normalises s to lower-case A-labels and splits it. Empty
// labels are refused, which covers leading, trailing and doubled dots: a
// trailing-dot name would otherwise slip past a deny rule for the same name.
func domainLabels(s string) ([]string, error) {
	if s == "" {
		return nil, errors.New("empty domain")
	}
	ascii, err := toASCII(s)
	if err != nil {
		return nil, err
	}
	if len(ascii) > maxDomainLen {
		return nil, fmt.Errorf("domain longer than %d characters", maxDomainLen)
	}
	labels := strings.Split(ascii, ".")
	for _, l := range labels {
		if err := checkLabel(l); err != nil {
			return nil, err
		}
	}
	return labels, nil
}

// checkLabel accepts letters, digits, '-' and '_'. Underscores are not
// hostname characters, but they are common in service names (_acme-challenge,
// SRV-style names) and certificates carry them.
func checkLabel(l string) error {
	if l == "" {
		return errors.New("empty label (leading, trailing or double dot)")
	}
	if len(l) > maxLabelLen {
		return fmt.Errorf("label longer than %d characters", maxLabelLen)
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return fmt.Errorf("invalid character %q", c)
		}
	}
	return nil
}

// toASCII lower-cases ASCII names and IDNA-maps the rest (UTS #46 lookup
// profile), so "Bücher.example" and "xn--bcher-kva.example" compare equal.
// Pure-ASCII names skip IDNA because its STD3 rules would refuse '_'.
func toASCII(s string) (string, error) {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			a, err := idna.Lookup.ToASCII(s)
			if err != nil {
				return "", fmt.Errorf("idna: %w", err)
			}
			return strings.ToLower(a), nil
		}
	}
	return strings.ToLower(s), nil
}

// domainRule is a dns or uri rule: an exact domain, or "*." plus a domain,
// which matches exactly one more label (so never the apex itself).
type domainRule struct {
	wildcard bool
	base     []string
}

func parseDomainRule(s string) (domainRule, error) {
	if strings.HasPrefix(s, ".") {
		return domainRule{}, errors.New(`a leading "." is not allowed; write "*.` + s[1:] + `" for subdomains`)
	}
	rest, wildcard := strings.CutPrefix(s, "*.")
	if strings.Contains(rest, "*") {
		return domainRule{}, errors.New(`a wildcard is only allowed as a leading "*."`)
	}
	labels, err := domainLabels(rest)
	if err != nil {
		return domainRule{}, err
	}
	return domainRule{wildcard: wildcard, base: labels}, nil
}

func (r domainRule) matches(d domain) bool {
	labels := d.labels
	if r.wildcard {
		if len(labels) != len(r.base)+1 {
			return false
		}
		labels = labels[1:]
	}
	return slices.Equal(labels, r.base)
}

func matchDomain(rules []domainRule, d domain) bool {
	return slices.ContainsFunc(rules, func(r domainRule) bool { return r.matches(d) })
}
