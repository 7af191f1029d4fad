package policy

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/stride-pki/stride/internal/config"
)

// SSH certificate types, as IsSSHCertificateAllowed takes them.
const (
	SSHUserCert = "user"
	SSHHostCert = "host"
)

// SSHPolicy judges the principals of SSH certificates. User and host
// certificates have separate rules; the zero value and nil allow everything.
type SSHPolicy struct {
	user userRules
	host hostRules
}

// userRules: user principals that look like emails meet the email rules,
// all others the principal rules.
type userRules struct {
	allow, deny userNames
}

type userNames struct {
	email     []emailRule
	principal []string
}

func (n *userNames) size() int { return len(n.email) + len(n.principal) }

// hostRules: host principals are DNS names or IP addresses; principal rules
// match the principal string itself, whatever it looks like.
type hostRules struct {
	allow, deny hostNames
}

type hostNames struct {
	dns       []domainRule
	ip        []netip.Prefix
	principal []string
}

func (n *hostNames) size() int { return len(n.dns) + len(n.ip) + len(n.principal) }

// NewSSHPolicy parses and validates c; an error names the offending rule.
// A nil c gives a policy that allows everything.
func NewSSHPolicy(c *config.SSHPolicy) (*SSHPolicy, error) {
	p := &SSHPolicy{}
	if c == nil {
		return p, nil
	}
	var err error
	if c.User != nil {
		if p.user.allow, err = parseUserNames("ssh user policy: allow", c.User.Allow); err != nil {
			return nil, err
		}
		if p.user.deny, err = parseUserNames("ssh user policy: deny", c.User.Deny); err != nil {
			return nil, err
		}
	}
	if c.Host != nil {
		if p.host.allow, err = parseHostNames("ssh host policy: allow", c.Host.Allow); err != nil {
			return nil, err
		}
		if p.host.deny, err = parseHostNames("ssh host policy: deny", c.Host.Deny); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func parseUserNames(where string, n *config.SSHUserNames) (userNames, error) {
	var r userNames
	if n == nil {
		return r, nil
	}
	var err error
	if r.email, err = parseRules(where, Email, n.EmailAddresses, parseEmailRule); err != nil {
		return r, err
	}
	r.principal, err = parseRules(where, Principal, n.Principals, parsePrincipalRule)
	return r, err
}

func parseHostNames(where string, n *config.SSHHostNames) (hostNames, error) {
	var r hostNames
	if n == nil {
		return r, nil
	}
	var err error
	if r.dns, err = parseRules(where, DNS, n.DNSDomains, parseDomainRule); err != nil {
		return r, err
	}
	if r.ip, err = parseRules(where, IP, n.IPRanges, parseIPRule); err != nil {
		return r, err
	}
	r.principal, err = parseRules(where, Principal, n.Principals, parsePrincipalRule)
	return r, err
}

// parsePrincipalRule: a principal rule is an exact string, or "*" for any
// principal. Partial patterns ("web*") are refused rather than taken
// literally, because nobody who writes one means it literally.
func parsePrincipalRule(s string) (string, error) {
	switch {
	case s == "":
		return "", errors.New("empty rule")
	case s != "*" && strings.Contains(s, "*"):
		return "", errors.New(`"*" is only allowed alone, meaning any principal`)
	}
	return s, nil
}

func matchPrincipal(rules []string, s string) bool {
	return slices.ContainsFunc(rules, func(r string) bool { return r == "*" || r == s })
}

// IsSSHCertificateAllowed checks the principals of an SSH certificate of
// certType (SSHUserCert or SSHHostCert) and returns the first refusal, a
// *NamePolicyError. If the policy has rules only for the other certificate
// type, every certificate of this type is refused. Under an active policy a
// certificate without principals is refused: OpenSSH would accept it for any
// principal. An unknown certType is a plain error (a caller bug).
func (p *SSHPolicy) IsSSHCertificateAllowed(certType string, principals []string) error {
	if p == nil || p.user.allow.size()+p.user.deny.size()+p.host.allow.size()+p.host.deny.size() == 0 {
		return nil
	}
	var check func(string) error
	switch certType {
	case SSHUserCert:
		check = p.checkUserPrincipal
	case SSHHostCert:
		check = p.checkHostPrincipal
	default:
		return fmt.Errorf("policy: unknown ssh certificate type %q", certType)
	}
	if len(principals) == 0 {
		return refuse(Principal, "", NoPrincipals)
	}
	for _, s := range principals {
		if err := check(s); err != nil {
			return err
		}
	}
	return nil
}
