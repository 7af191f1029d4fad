package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// problems collects validation failures as "file: field: message", so one
// run reports every mistake rather than the first.
type problems struct {
	file string
	errs []error
}

func (p *problems) add(field, msg string) {
	p.errs = append(p.errs, fmt.Errorf("%s: %s: %s", p.file, field, msg))
}

func (p *problems) err() error { return errors.Join(p.errs...) }

// Validate checks what step-ca refuses at startup. Each failure names the
// file and the field, e.g. "ca.json: authority.provisioners[2].name:
// required"; several are joined with newlines.
func (c *CAConfig) Validate() error {
	errs := &problems{file: c.Path}
	if errs.file == "" {
		errs.file = CAConfigName
	}
	if c.Address == "" {
		errs.add("address", "required")
	}
	if !c.Authority.IsRA() {
		if len(c.Root.Paths) == 0 || c.Root.First() == "" {
			errs.add("root", "required")
		}
		if c.IntermediateCert == "" {
			errs.add("crt", "required")
		}
		if c.IntermediateKey == "" {
			errs.add("key", "required")
		}
	}
	c.validateDB(errs)
	c.validateTLS(errs)
	if c.CRL != nil {
		nonNegative(errs, "crl.cacheDuration", c.CRL.CacheDuration)
		nonNegative(errs, "crl.renewPeriod", c.CRL.RenewPeriod)
	}
	if p := c.ACMETestPorts; p != nil {
		for _, f := range []struct {
			name string
			port int
		}{{"acmeTestPorts.http01", p.HTTP01}, {"acmeTestPorts.tlsalpn01", p.TLSALPN01}} {
			if f.port < 0 || f.port > 65535 {
				errs.add(f.name, "must be a port number (1-65535), or 0 for the standard port")
			}
		}
	}
	c.Authority.validate(errs)
	return errs.err()
}

var dbTypes = []string{"", DBTypeBolt, DBTypeBadger, DBTypeBadgerV1, DBTypeBadgerV2, DBTypePostgreSQL, DBTypeMySQL}

func (c *CAConfig) validateDB(errs *problems) {
	if c.DB == nil {
		return
	}
	if !contains(dbTypes, c.DB.Type) {
		errs.add("db.type", fmt.Sprintf("unsupported %q (want one of %s)", c.DB.Type, strings.Join(dbTypes[1:], ", ")))
		return
	}
	if c.DB.Type != "" && c.DB.DataSource == "" {
		errs.add("db.dataSource", "required")
	}
}

func (c *CAConfig) validateTLS(errs *problems) {
	if c.TLS == nil {
		return
	}
	t := c.TLS
	if !t.MinVersion.Valid() {
		errs.add("tls.minVersion", fmt.Sprintf("unsupported %v (want 1.0, 1.1, 1.2 or 1.3)", float64(t.MinVersion)))
	}
	if !t.MaxVersion.Valid() {
		errs.add("tls.maxVersion", fmt.Sprintf("unsupported %v (want 1.0, 1.1, 1.2 or 1.3)", float64(t.MaxVersion)))
	}
	if t.MinVersion != 0 && t.MaxVersion != 0 && t.MinVersion > t.MaxVersion {
		errs.add("tls.minVersion", "greater than maxVersion")
	}
}

var authorityTypes = []string{"", AuthorityTypeSoft, AuthorityTypeStep, AuthorityTypeCloud, AuthorityTypeVault, AuthorityTypeExternal}

func (a *Authority) validate(errs *problems) {
	if a == nil {
		return
	}
	if !contains(authorityTypes, strings.ToLower(a.Type)) {
		errs.add("authority.type", fmt.Sprintf("unsupported %q", a.Type))
	}
	nonNegative(errs, "authority.backdate", a.Backdate)
	a.Claims.validate("authority.claims", errs)
	names := map[string]int{}
	k8s := -1
	for i, p := range a.Provisioners {
		field := fmt.Sprintf("authority.provisioners[%d]", i)
		pc, err := p.Common()
		if err != nil {
			addDecodeError(errs, field, err)
			continue
		}
		switch {
		case pc.Type == "":
			errs.add(field+".type", "required")
		case strings.EqualFold(pc.Type, ProvisionerK8sSA) && k8s >= 0:
			errs.add(field+".type", fmt.Sprintf("only one K8sSA provisioner is allowed (another is provisioners[%d])", k8s))
		case strings.EqualFold(pc.Type, ProvisionerK8sSA):
			k8s = i
		}
		if pc.Name == "" {
			errs.add(field+".name", "required")
		} else if j, dup := names[pc.Name]; dup {
			errs.add(field+".name", fmt.Sprintf("%q is also the name of provisioners[%d]", pc.Name, j))
		} else {
			names[pc.Name] = i
		}
		pc.Claims.validate(field+".claims", errs)
		if strings.EqualFold(pc.Type, ProvisionerACME) {
			validateACME(p, field, errs)
		}
	}
}

// validateACME checks an ACME provisioner's profiles, so that a default
// naming no profile or a profile with two templates fails at start-up
// rather than at the first order.
func validateACME(p Provisioner, field string, errs *problems) {
	a, err := p.ACME()
	if err != nil {
		addDecodeError(errs, field, err)
		return
	}
	if _, ok := a.Profiles[a.DefaultProfile]; a.DefaultProfile != "" && !ok {
		errs.add(field+".defaultProfile", fmt.Sprintf("%q is not one of the provisioner's profiles", a.DefaultProfile))
	}
	for name, prof := range a.Profiles {
		f := fmt.Sprintf("%s.profiles[%q]", field, name)
		switch {
		case strings.TrimSpace(name) == "":
			errs.add(field+".profiles", "a profile needs a name")
		case prof.Template != "" && prof.TemplateFile != "":
			errs.add(f, "template and templateFile are exclusive")
		case prof.Duration != nil && *prof.Duration <= 0:
			errs.add(f+".duration", "must be positive")
		}
	}
}

// addDecodeError reports a provisioner that does not decode, naming the
// member when the decoder says which.
func addDecodeError(errs *problems, field string, err error) {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		errs.add(field+"."+te.Field, fmt.Sprintf("cannot use JSON %s as %s", te.Value, te.Type))
		return
	}
	errs.add(field, strings.TrimPrefix(err.Error(), "json: "))
}

func nonNegative(errs *problems, field string, d *Duration) {
	if d != nil && *d < 0 {
		errs.add(field, "must not be negative")
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
