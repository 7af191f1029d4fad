package policy

import (
	"errors"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strings"
)

// The check functions judge one name of one type. They report whether an
// allow rule matched explicitly, which checkCommonName needs.

func (p *X509Policy) checkDNS(name string) (bool, error) {
	d, err := parseDomainName(name)
	if err != nil {
		return false, malformed(DNS, name, err)
	}
	if d.wildcard && !p.allowWildcards {
		return false, refuse(DNS, name, WildcardNotAllowed)
	}
	return judge(DNS, name, matchDomain(p.deny.dns, d), matchDomain(p.allow.dns, d),
		len(p.allow.dns) > 0, p.anyAllow())
}

func (p *X509Policy) checkIP(ip net.IP) (bool, error) {
	a, ok := addrOf(ip)
	if !ok {
		return false, malformed(IP, ip.String(), errors.New("not a 4- or 16-byte address"))
	}
	return p.checkAddr(a, ip.String())
}

// checkAddr judges an address; name is how the requester wrote it.
func (p *X509Policy) checkAddr(a netip.Addr, name string) (bool, error) {
	return judge(IP, name, matchIP(p.deny.ip, a), matchIP(p.allow.ip, a),
		len(p.allow.ip) > 0, p.anyAllow())
}

func (p *X509Policy) checkEmail(s string) (bool, error) {
	m, err := parseMailbox(s)
	if err != nil {
		return false, malformed(Email, s, err)
	}
	return judge(Email, s, matchEmail(p.deny.email, m), matchEmail(p.allow.email, m),
		len(p.allow.email) > 0, p.anyAllow())
}

// checkURI judges u; name is how the requester wrote it.
func (p *X509Policy) checkURI(u *url.URL, name string) (bool, error) {
	d, reason, err := uriDomain(u)
	if reason != 0 {
		return false, &NamePolicyError{Type: URI, Name: name, Reason: reason, Err: err}
	}
	return judge(URI, name, matchDomain(p.deny.uri, d), matchDomain(p.allow.uri, d),
		len(p.allow.uri) > 0, p.anyAllow())
}

// checkCommonName follows step-ca: if cn rules exist and the CN passes them,
// it is allowed. Otherwise (no cn rules, or it failed them, even by a cn
// deny) the CN is judged as the dns/ip/email/uri name it looks like, so a
// typed allow rule can override a cn deny.
//
// One guard beyond the letter of §5: a CN refused by a cn deny must then be
// explicitly allowed by a typed rule. Without it, a policy of only cn deny
// rules would deny nothing, since the re-classified CN meets no rules and a
// deny-only policy lets unmatched names through.
func (p *X509Policy) checkCommonName(cn string) error {
	if cn == "" {
		return nil
	}
	var cnErr error
	if len(p.allow.cn)+len(p.deny.cn) > 0 {
		_, cnErr = judge(CommonName, cn, matchCN(p.deny.cn, cn), matchCN(p.allow.cn, cn),
			len(p.allow.cn) > 0, p.anyAllow())
		if cnErr == nil {
			return nil
		}
	}
	explicit, err := p.checkClassified(cn)
	if err != nil {
		return err
	}
	if cnErr != nil && !explicit {
		return cnErr
	}
	return nil
}

// checkClassified judges an untyped name as the type it looks like.
func (p *X509Policy) checkClassified(s string) (bool, error) {
	c := classify(s)
	switch c.typ {
	case IP:
		return p.checkAddr(c.addr, s)
	case URI:
		return p.checkURI(c.uri, s)
	case Email:
		return p.checkEmail(s)
	}
	return p.checkDNS(s)
}

func matchCN(rules []string, cn string) bool {
	return slices.ContainsFunc(rules, func(r string) bool { return strings.EqualFold(r, cn) })
}
