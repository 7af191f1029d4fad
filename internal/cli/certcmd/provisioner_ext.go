package certcmd

import (
	"crypto/x509"
	"encoding/asn1"
	"fmt"
)

// provisionerExt is the value of step's provisioner extension
// (OID 1.3.6.1.4.1.37476.9000.64.1): which provisioner authorized the
// certificate. Renewal finds the provisioner by its name.
type provisionerExt struct {
	Type          int
	Name          []byte
	CredentialID  []byte
	KeyValuePairs []string `asn1:"optional,omitempty"`
}

// provisionerTypes names the type integer as step-ca numbers it.
var provisionerTypes = map[int]string{
	1: "JWK", 2: "OIDC", 3: "GCP", 4: "AWS", 5: "Azure", 6: "ACME", 7: "X5C", 8: "K8sSA",
	9: "SSHPOP", 10: "SCEP", 11: "Nebula",
}

// typeName is the text label; JSON uses jsonTypeName, which (like step's JSON)
// only knows the first eight types.
func (p *provisionerExt) typeName() string {
	if s, ok := provisionerTypes[p.Type]; ok {
		return s
	}
	return fmt.Sprintf("Unknown (%#x)", p.Type)
}

func (p *provisionerExt) jsonTypeName() string {
	if p.Type >= 1 && p.Type <= 8 {
		return provisionerTypes[p.Type]
	}
	return fmt.Sprintf("Unknown (%#x)", p.Type)
}

// jsonMap is the "step_provisioner" object of step's JSON: type, name, the
// credential ID when set, and the key/value pairs ("-" for a missing value).
func (p *provisionerExt) jsonMap() map[string]string {
	m := map[string]string{"type": p.jsonTypeName(), "name": string(p.Name)}
	if len(p.CredentialID) > 0 {
		m["credentialID"] = string(p.CredentialID)
	}
	for i := 0; i < len(p.KeyValuePairs); i += 2 {
		v := "-"
		if i+1 < len(p.KeyValuePairs) {
			v = p.KeyValuePairs[i+1]
		}
		m[p.KeyValuePairs[i]] = v
	}
	return m
}

// findProvisioner returns the decoded provisioner extension of c, or nil.
func findProvisioner(c *x509.Certificate) *provisionerExt {
	for _, e := range c.Extensions {
		if !e.Id.Equal(oidStepProvisioner) {
			continue
		}
		var p provisionerExt
		if rest, err := asn1.Unmarshal(e.Value, &p); err == nil && len(rest) == 0 {
			return &p
		}
	}
	return nil
}
