package policy

import (
	"errors"
	"net/netip"
	"net/url"
	"strings"
)

// uriDomain returns the host of u as a domain: uri rules look at the host
// only, ignoring scheme, port, path and query. A URI without a host (urn:…)
// or with an IP host cannot match a domain rule, so it is refused outright
// rather than slipping past deny rules.
func uriDomain(u *url.URL) (domain, Reason, error) {
	host := u.Hostname()
	if host == "" {
		return domain{}, Malformed, errors.New("URI has no host")
	}
	if _, err := netip.ParseAddr(host); err == nil {
		return domain{}, IPHostNotAllowed, nil
	}
	if strings.Contains(host, "*") {
		return domain{}, Malformed, errors.New("wildcard URI host")
	}
	labels, err := domainLabels(host)
	if err != nil {
		return domain{}, Malformed, err
	}
	return domain{labels: labels}, 0, nil
}
