package policy

import (
	"errors"
	"slices"
	"strings"
)

// mailbox is a parsed email address. The local part is kept verbatim (it is
// case-sensitive by RFC 5321 §2.4); the domain is normalised like a DNS name.
type mailbox struct {
	local  string
	domain []string
}

// parseMailbox splits at the last '@', since a quoted local part may hold one.
func parseMailbox(s string) (mailbox, error) {
	i := strings.LastIndexByte(s, '@')
	if i <= 0 {
		return mailbox{}, errors.New("want local@domain")
	}
	labels, err := domainLabels(s[i+1:])
	if err != nil {
		return mailbox{}, err
	}
	return mailbox{local: s[:i], domain: labels}, nil
}

// emailRule is "user@dom" (that mailbox), or "@dom" / "dom" (any mailbox at
// exactly dom, not its subdomains). There are no wildcards.
type emailRule struct {
	local  string // empty: any mailbox
	domain []string
}

func parseEmailRule(s string) (emailRule, error) {
	if strings.Contains(s, "*") {
		return emailRule{}, errors.New("wildcards are not allowed in email rules")
	}
	local, dom := "", s
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		local, dom = s[:i], s[i+1:]
	}
	if strings.HasPrefix(dom, ".") {
		return emailRule{}, errors.New(`a leading "." is not allowed; an email rule names one domain exactly`)
	}
	labels, err := domainLabels(dom)
	if err != nil {
		return emailRule{}, err
	}
	return emailRule{local: local, domain: labels}, nil
}

func (r emailRule) matches(m mailbox) bool {
	return (r.local == "" || r.local == m.local) && slices.Equal(r.domain, m.domain)
}

func matchEmail(rules []emailRule, m mailbox) bool {
	return slices.ContainsFunc(rules, func(r emailRule) bool { return r.matches(m) })
}
