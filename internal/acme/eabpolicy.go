package acme

import (
	"encoding/json"
	"errors"
	"net"

	"github.com/stride-pki/stride/internal/config"
	"github.com/stride-pki/stride/internal/policy"
	"github.com/stride-pki/stride/internal/storage"
)

// EABPolicyAllows checks a new-order's identifiers against the policy of
// the external account key the account was bound with
// (storage.ACMEEABKey.Policy: an X.509 name policy in ca.json's schema,
// {"allow":{"dns":[…]},"deny":{…},"allowWildcardNames":…}). It runs after
// the authority's and the provisioner's policies, so an operator can hand a
// team a key that only orders its own names. An empty policy allows
// everything. A refusal is a rejectedIdentifier problem naming the
// identifier; identifier types that are not names (permanent-identifier)
// are not judged by a name policy.
func EABPolicyAllows(policyJSON []byte, identifiers []storage.ACMEIdentifier) error {
	if len(policyJSON) == 0 {
		return nil
	}
	var c config.X509Policy
	if err := json.Unmarshal(policyJSON, &c); err != nil {
		return internal(err, "to read the external account key's policy")
	}
	p, err := policy.NewX509Policy(&c)
	if err != nil {
		return internal(err, "to read the external account key's policy")
	}
	for _, id := range identifiers {
		if err := allowsIdentifier(p, id); err != nil {
			return err
		}
	}
	return nil
}

func allowsIdentifier(p *policy.X509Policy, id storage.ACMEIdentifier) error {
	var err error
	switch id.Type {
	case "dns":
		err = p.IsDNSAllowed(id.Value)
	case "ip":
		ip := net.ParseIP(id.Value)
		if ip == nil {
			return Malformedf("%q is not an IP address", id.Value)
		}
		err = p.IsIPAllowed(ip)
	default:
		return nil
	}
	var npe *policy.NamePolicyError
	if errors.As(err, &npe) {
		return problemf(ProbRejectedIdentifier, "the external account key's policy refuses it: %s", npe.Error())
	}
	return err
}
