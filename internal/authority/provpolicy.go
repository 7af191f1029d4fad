package authority

import (
	"encoding/json"
	"fmt"

	"github.com/stride-pki/stride/internal/config"
	"github.com/stride-pki/stride/internal/policy"
	"github.com/stride-pki/stride/internal/provisioner"
)

// provisionerPolicies parses each provisioner's own "policy" (the schema of
// authority.policy; step offers it only commercially) once, at build time, so
// a bad policy fails the start or the reload instead of a request.
func provisionerPolicies(provs []provisioner.Provisioner) (map[string]*policy.X509Policy, error) {
	out := map[string]*policy.X509Policy{}
	for _, prov := range provs {
		raw := prov.Policy()
		if len(raw) == 0 {
			continue
		}
		var cfg config.Policy
		if err := json.Unmarshal(raw, &cfg); err != nil {
			return nil, fmt.Errorf("provisioner %q: policy: %w", prov.Name(), err)
		}
		if cfg.X509 == nil {
			continue
		}
		p, err := policy.NewX509Policy(cfg.X509)
		if err != nil {
			return nil, fmt.Errorf("provisioner %q: policy: %w", prov.Name(), err)
		}
		out[prov.ID()] = p
	}
	return out, nil
}
