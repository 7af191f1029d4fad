package policy

import (
	"strings"
)

// checkUserPrincipal: an email-looking principal meets the email rules,
// anything else the principal rules (§5).
func (p *SSHPolicy) checkUserPrincipal(s string) error {
	r := &p.user
	anyAllow := r.allow.size() > 0
	if !strings.Contains(s, "@") {
		if r.allow.size()+r.deny.size() == 0 {
			return refuse(Principal, s, CertTypeNotAllowed)
		}
		_, err := judge(Principal, s, matchPrincipal(r.deny.principal, s), matchPrincipal(r.allow.principal, s),
			len(r.allow.principal) > 0, anyAllow)
		return err
	}
	if r.allow.size()+r.deny.size() == 0 {
		return refuse(Email, s, CertTypeNotAllowed)
	}
	m, err := parseMailbox(s)
	if err != nil {
		return malformed(Email, s, err)
	}
	_, err = judge(Email, s, matchEmail(r.deny.email, m), matchEmail(r.allow.email, m),
		len(r.allow.email) > 0, anyAllow)
	return err
}

// checkHostPrincipal: a host principal is an IP address or a DNS name (a
// URI is refused). It meets the rules of its type and the principal rules
// together: a deny of either kind refuses it, an allow of either kind
// permits it. §5 does not say what host principal rules match; taking them
// as exact strings beside dns/ip is what makes them useful, e.g. to permit a
// bare host name without permitting every single-label DNS name.
func (p *SSHPolicy) checkHostPrincipal(s string) error {
	r := &p.host
	c := classify(s)
	if r.allow.size()+r.deny.size() == 0 {
		return refuse(hostType(c.typ), s, CertTypeNotAllowed)
	}
	var denied, allowed, typeHasAllow bool
	switch c.typ {
	case URI:
		return refuse(URI, s, UnsupportedType)
	case IP:
		denied, allowed = matchIP(r.deny.ip, c.addr), matchIP(r.allow.ip, c.addr)
		typeHasAllow = len(r.allow.ip) > 0
	default:
		d, err := parseDomainName(s)
		if err != nil {
			return malformed(DNS, s, err)
		}
		denied, allowed = matchDomain(r.deny.dns, d), matchDomain(r.allow.dns, d)
		typeHasAllow = len(r.allow.dns) > 0
	}
	denied = denied || matchPrincipal(r.deny.principal, s)
	allowed = allowed || matchPrincipal(r.allow.principal, s)
	typeHasAllow = typeHasAllow || len(r.allow.principal) > 0
	_, err := judge(hostType(c.typ), s, denied, allowed, typeHasAllow, r.allow.size() > 0)
	return err
}

// hostType is the type a host principal is reported as: emails and other
// non-IP, non-URI strings are judged as DNS names.
func hostType(t NameType) NameType {
	if t == IP || t == URI {
		return t
	}
	return DNS
}
