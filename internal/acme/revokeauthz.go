package acme

import (
	"context"
	"crypto/x509"
	"strings"

	"github.com/stride-pki/stride/internal/storage"
)

// revokeOrdersPage is how many of an account's orders are read at a time
// while looking for its valid authorizations.
const revokeOrdersPage = 100

// holdsAuthorizations reports whether acct holds valid, unexpired
// authorizations of provisioner p for every identifier of cert: RFC 8555
// §7.6 makes such an account authorized to revoke the certificate, even
// if another account ordered it (whoever controls all the names now may
// take the certificate out of use). Only orders that have not expired can
// hold unexpired authorizations (both live OrderLifetime), so older orders
// are skipped without reading their authorizations; the scan costs the
// requester's own order count, and runs only when the requester is not
// the certificate's account and did not sign with its key.
func (s *Service) holdsAuthorizations(ctx context.Context, p *Provisioner, acct *storage.ACMEAccount, cert *x509.Certificate) (bool, error) {
	need := certIdentifiers(cert)
	if len(need) == 0 {
		return false, nil
	}
	now := s.now()
	cursor := ""
	for {
		rows, next, err := s.store.ListACMEOrders(ctx, acct.ID, cursor, revokeOrdersPage)
		if err != nil {
			return false, err
		}
		for _, o := range rows {
			if o.Provisioner != p.Name || !o.ExpiresAt.After(now) {
				continue
			}
			for _, id := range o.AuthzIDs {
				a, err := s.store.ACMEAuthz(ctx, id)
				if err != nil {
					return false, err
				}
				if a.AccountID == acct.ID && a.Status == string(StatusValid) && a.ExpiresAt.After(now) {
					delete(need, authzKey(a))
				}
			}
			if len(need) == 0 {
				return true, nil
			}
		}
		if next == "" {
			return false, nil
		}
		cursor = next
	}
}

// certIdentifiers is the set of cert's identifiers, keyed as authzKey
// keys them: "dns:" + lower-case name (wildcards included), "ip:" + address.
func certIdentifiers(cert *x509.Certificate) map[string]bool {
	out := map[string]bool{}
	for _, n := range cert.DNSNames {
		out["dns:"+strings.ToLower(n)] = true
	}
	for _, ip := range cert.IPAddresses {
		out["ip:"+ip.String()] = true
	}
	return out
}

// authzKey is the certificate identifier an authorization covers: a
// wildcard authorization (its identifier is the base name) covers "*.".
func authzKey(a *storage.ACMEAuthz) string {
	v := a.Identifier.Value
	if a.Wildcard {
		v = "*." + v
	}
	return a.Identifier.Type + ":" + v
}
