package storage

import "strings"

// Match reports whether c, revoked or not, passes f: the reference for
// backends that filter in Go (the embedded ones); SQL backends express the
// same rules in their queries, and the conformance suite holds both to them.
func (f *CertificateFilter) Match(c *Certificate, revoked bool) bool {
	switch {
	case f.Revoked == OnlyRevoked && !revoked, f.Revoked == NotRevoked && revoked:
		return false
	case f.Provisioner != "" && c.Provisioner.Name != f.Provisioner:
		return false
	case !f.NotAfterFrom.IsZero() && c.NotAfter.Before(f.NotAfterFrom):
		return false
	case !f.NotAfterBefore.IsZero() && !c.NotAfter.Before(f.NotAfterBefore):
		return false
	case !f.IssuedAfter.IsZero() && !c.IssuedAt.After(f.IssuedAfter):
		return false
	case f.Subject != "" && !containsFold(c.Subject, f.Subject):
		return false
	}
	if f.SAN == "" {
		return true
	}
	for _, san := range c.SANs {
		if containsFold(san, f.SAN) {
			return true
		}
	}
	return false
}

// containsFold reports whether sub is in s, ignoring case.
func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}
