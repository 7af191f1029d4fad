package policy

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"

	"github.com/stride-pki/stride/internal/config"
)

// X509Policy judges the names of X.509 certificates. The zero value and nil
// allow everything.
type X509Policy struct {
	allow, deny    x509Rules
	allowWildcards bool
}

// x509Rules is one side (allow or deny) of an X.509 policy, parsed.
type x509Rules struct {
	cn    []string
	dns   []domainRule
	ip    []netip.Prefix
	email []emailRule
	uri   []domainRule
}

func (r *x509Rules) size() int {
	return len(r.cn) + len(r.dns) + len(r.ip) + len(r.email) + len(r.uri)
}

// NewX509Policy parses and validates c; an error names the offending rule.
// A nil c gives a policy that allows everything.
func NewX509Policy(c *config.X509Policy) (*X509Policy, error) {
	p := &X509Policy{}
	if c == nil {
		return p, nil
	}
	var err error
	if p.allow, err = parseX509Rules("x509 policy: allow", c.Allow); err != nil {
		return nil, err
	}
	if p.deny, err = parseX509Rules("x509 policy: deny", c.Deny); err != nil {
		return nil, err
	}
	p.allowWildcards = c.AllowWildcardNames
	return p, nil
}

func parseX509Rules(where string, n *config.X509Names) (x509Rules, error) {
	var r x509Rules
	if n == nil {
		return r, nil
	}
	var err error
	if r.cn, err = parseRules(where, CommonName, n.CommonNames, parseCNRule); err != nil {
		return r, err
	}
	if r.dns, err = parseRules(where, DNS, n.DNSDomains, parseDomainRule); err != nil {
		return r, err
	}
	if r.ip, err = parseRules(where, IP, n.IPRanges, parseIPRule); err != nil {
		return r, err
	}
	if r.email, err = parseRules(where, Email, n.EmailAddresses, parseEmailRule); err != nil {
		return r, err
	}
	r.uri, err = parseRules(where, URI, n.URIDomains, parseURIRule)
	return r, err
}

// parseRules parses each rule of one type, naming the first bad one.
func parseRules[T any](where string, t NameType, rules []string, parse func(string) (T, error)) ([]T, error) {
	out := make([]T, 0, len(rules))
	for _, s := range rules {
		v, err := parse(s)
		if err != nil {
			return nil, fmt.Errorf("%s %s rule %q: %w", where, t, s, err)
		}
		out = append(out, v)
	}
	return out, nil
}

// parseCNRule: a cn rule is compared whole and case-insensitively; '*' is
// refused so nobody mistakes it for a pattern.
func parseCNRule(s string) (string, error) {
	switch {
	case s == "":
		return "", errors.New("empty rule")
	case strings.Contains(s, "*"):
		return "", errors.New("wildcards are not allowed in cn rules")
	}
	return s, nil
}

// parseURIRule: uri rules are domains; a scheme or path is a common mistake
// worth its own message.
func parseURIRule(s string) (domainRule, error) {
	if strings.ContainsAny(s, ":/") {
		return domainRule{}, errors.New("a uri rule is a domain (matched against the URI's host), without scheme, port or path")
	}
	return parseDomainRule(s)
}

func (p *X509Policy) active() bool {
	return p != nil && p.allow.size()+p.deny.size() > 0
}

func (p *X509Policy) anyAllow() bool { return p.allow.size() > 0 }

// AreCertificateNamesAllowed checks every name of the certificate about to
// be signed: its SANs, then its subject common name.
func (p *X509Policy) AreCertificateNamesAllowed(cert *x509.Certificate) error {
	return p.AreNamesAllowed(NamesFromCertificate(cert))
}

// AreCSRNamesAllowed checks the names a certificate request asks for.
func (p *X509Policy) AreCSRNamesAllowed(csr *x509.CertificateRequest) error {
	return p.AreNamesAllowed(NamesFromCSR(csr))
}

// AreSANsAllowed checks untyped names, classified as SplitSANs does.
func (p *X509Policy) AreSANsAllowed(sans []string) error {
	return p.AreNamesAllowed(SplitSANs(sans))
}

// AreNamesAllowed checks every name in n and returns the first refusal, a
// *NamePolicyError. SANs are checked before the common name, type by type.
func (p *X509Policy) AreNamesAllowed(n Names) error {
	if !p.active() {
		return nil
	}
	for _, s := range n.DNSNames {
		if _, err := p.checkDNS(s); err != nil {
			return err
		}
	}
	for _, ip := range n.IPAddresses {
		if _, err := p.checkIP(ip); err != nil {
			return err
		}
	}
	for _, s := range n.EmailAddresses {
		if _, err := p.checkEmail(s); err != nil {
			return err
		}
	}
	for _, u := range n.URIs {
		if _, err := p.checkURI(u, u.String()); err != nil {
			return err
		}
	}
	return p.checkCommonName(n.CommonName)
}

// IsDNSAllowed checks one DNS name (an ACME dns identifier).
func (p *X509Policy) IsDNSAllowed(name string) error {
	if !p.active() {
		return nil
	}
	_, err := p.checkDNS(name)
	return err
}

// IsIPAllowed checks one IP address (an ACME ip identifier).
func (p *X509Policy) IsIPAllowed(ip net.IP) error {
	if !p.active() {
		return nil
	}
	_, err := p.checkIP(ip)
	return err
}
