package config

import (
	"encoding/json"
	"strings"
	"testing"
)

// validConfig is the smallest config Validate accepts.
func validConfig(t *testing.T) *CAConfig {
	t.Helper()
	jwk, err := NewProvisioner(ProvisionerCommon{Type: "JWK", Name: "admin"})
	if err != nil {
		t.Fatal(err)
	}
	acme, _ := NewProvisioner(ProvisionerCommon{Type: "ACME", Name: "acme"})
	return &CAConfig{
		Path: "ca.json", Root: Roots{Paths: []string{"root.crt"}}, IntermediateCert: "int.crt",
		IntermediateKey: "int.key", Address: ":443",
		Authority: &Authority{Provisioners: []Provisioner{jwk, acme}},
	}
}

func rawProvisioner(t *testing.T, s string) Provisioner {
	t.Helper()
	var p Provisioner
	if err := json.Unmarshal([]byte(s), &p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		modify func(t *testing.T, c *CAConfig)
		want   string // "" means valid
	}{
		{"valid", func(*testing.T, *CAConfig) {}, ""},
		{"no address", func(_ *testing.T, c *CAConfig) { c.Address = "" }, "ca.json: address: required"},
		{"no root", func(_ *testing.T, c *CAConfig) { c.Root = Roots{} }, "ca.json: root: required"},
		{"no crt", func(_ *testing.T, c *CAConfig) { c.IntermediateCert = "" }, "ca.json: crt: required"},
		{"no key", func(_ *testing.T, c *CAConfig) { c.IntermediateKey = "" }, "ca.json: key: required"},
		{"RA needs no keys", func(_ *testing.T, c *CAConfig) {
			c.Root, c.IntermediateCert, c.IntermediateKey = Roots{}, "", ""
			c.Authority.Type = "StepCAS"
		}, ""},
		{"unknown authority type", func(_ *testing.T, c *CAConfig) { c.Authority.Type = "magic" }, `authority.type: unsupported "magic"`},
		{"provisioner name required", func(t *testing.T, c *CAConfig) {
			c.Authority.Provisioners = append(c.Authority.Provisioners, rawProvisioner(t, `{"type":"X5C"}`))
		}, "ca.json: authority.provisioners[2].name: required"},
		{"provisioner type required", func(t *testing.T, c *CAConfig) {
			c.Authority.Provisioners = append(c.Authority.Provisioners, rawProvisioner(t, `{"name":"x"}`))
		}, "authority.provisioners[2].type: required"},
		{"duplicate name", func(t *testing.T, c *CAConfig) {
			c.Authority.Provisioners = append(c.Authority.Provisioners, rawProvisioner(t, `{"type":"OIDC","name":"admin"}`))
		}, `authority.provisioners[2].name: "admin" is also the name of provisioners[0]`},
		{"two K8sSA", func(t *testing.T, c *CAConfig) {
			c.Authority.Provisioners = append(c.Authority.Provisioners,
				rawProvisioner(t, `{"type":"K8sSA","name":"a"}`), rawProvisioner(t, `{"type":"k8ssa","name":"b"}`))
		}, "authority.provisioners[3].type: only one K8sSA"},
		{"unknown provisioner type is fine", func(t *testing.T, c *CAConfig) {
			c.Authority.Provisioners = append(c.Authority.Provisioners, rawProvisioner(t, `{"type":"Future","name":"f"}`))
		}, ""},
		{"provisioner field type", func(t *testing.T, c *CAConfig) {
			c.Authority.Provisioners = append(c.Authority.Provisioners, rawProvisioner(t, `{"type":"JWK","name":7}`))
		}, "authority.provisioners[2].name: cannot use JSON number as string"},
		{"provisioner bad duration", func(t *testing.T, c *CAConfig) {
			c.Authority.Provisioners = append(c.Authority.Provisioners,
				rawProvisioner(t, `{"type":"JWK","name":"d","claims":{"maxTLSCertDuration":"x"}}`))
		}, "authority.provisioners[2].claims.maxTLSCertDuration"},
		{"negative backdate", func(_ *testing.T, c *CAConfig) { c.Authority.Backdate = NewDuration(-1) }, "authority.backdate: must not be negative"},
		{"negative claim", func(_ *testing.T, c *CAConfig) {
			c.Authority.Claims = &Claims{MinTLSDur: NewDuration(-1)}
		}, "authority.claims.minTLSCertDuration: must not be negative"},
		{"min above default", func(_ *testing.T, c *CAConfig) {
			c.Authority.Claims = &Claims{MinTLSDur: NewDuration(2e9), DefaultTLSDur: NewDuration(1e9), MaxTLSDur: NewDuration(3e9)}
		}, "authority.claims.minTLSCertDuration: greater than defaultTLSCertDuration"},
		{"default above max in provisioner", func(t *testing.T, c *CAConfig) {
			c.Authority.Provisioners = append(c.Authority.Provisioners, rawProvisioner(t,
				`{"type":"JWK","name":"c","claims":{"defaultUserSSHCertDuration":"2h","maxUserSSHCertDuration":"1h"}}`))
		}, "authority.provisioners[2].claims.defaultUserSSHCertDuration: greater than maxUserSSHCertDuration"},
		{"acme profiles", func(t *testing.T, c *CAConfig) {
			c.Authority.Provisioners = append(c.Authority.Provisioners, rawProvisioner(t,
				`{"type":"ACME","name":"p","profiles":{"short":{"description":"6 days","duration":"144h"},"tpl":{"templateFile":"t.tpl"}},"defaultProfile":"short"}`))
		}, ""},
		{"acme default profile unknown", func(t *testing.T, c *CAConfig) {
			c.Authority.Provisioners = append(c.Authority.Provisioners, rawProvisioner(t,
				`{"type":"ACME","name":"p","profiles":{"a":{}},"defaultProfile":"b"}`))
		}, `authority.provisioners[2].defaultProfile: "b" is not one of the provisioner's profiles`},
		{"acme profile two templates", func(t *testing.T, c *CAConfig) {
			c.Authority.Provisioners = append(c.Authority.Provisioners, rawProvisioner(t,
				`{"type":"ACME","name":"p","profiles":{"a":{"template":"{}","templateFile":"x"}}}`))
		}, `authority.provisioners[2].profiles["a"]: template and templateFile are exclusive`},
		{"acme profile duration", func(t *testing.T, c *CAConfig) {
			c.Authority.Provisioners = append(c.Authority.Provisioners, rawProvisioner(t,
				`{"type":"ACME","name":"p","profiles":{"a":{"duration":"-1h"}}}`))
		}, `authority.provisioners[2].profiles["a"].duration: must be positive`},
		{"acme profile bad duration", func(t *testing.T, c *CAConfig) {
			c.Authority.Provisioners = append(c.Authority.Provisioners, rawProvisioner(t,
				`{"type":"ACME","name":"p","profiles":{"a":{"duration":"soon"}}}`))
		}, `authority.provisioners[2].profiles.duration: cannot use JSON string "soon"`},
		{"db type", func(_ *testing.T, c *CAConfig) { c.DB = &DB{Type: "sqlite", DataSource: "x"} }, `db.type: unsupported "sqlite"`},
		{"db no source", func(_ *testing.T, c *CAConfig) { c.DB = &DB{Type: DBTypeBolt} }, "db.dataSource: required"},
		{"db none", func(_ *testing.T, c *CAConfig) { c.DB = &DB{} }, ""},
		{"tls version", func(_ *testing.T, c *CAConfig) { c.TLS = &TLS{MinVersion: 1.4} }, "tls.minVersion: unsupported 1.4"},
		{"tls order", func(_ *testing.T, c *CAConfig) { c.TLS = &TLS{MinVersion: 1.3, MaxVersion: 1.2} }, "tls.minVersion: greater than maxVersion"},
		{"crl duration", func(_ *testing.T, c *CAConfig) { c.CRL = &CRL{CacheDuration: NewDuration(-5)} }, "crl.cacheDuration: must not be negative"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := validConfig(t)
			tc.modify(t, c)
			err := c.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestValidateReportsAll(t *testing.T) {
	c := &CAConfig{Path: "/etc/stride/ca.json"}
	err := c.Validate()
	if err == nil || strings.Count(err.Error(), "\n") != 3 || !strings.HasPrefix(err.Error(), "/etc/stride/ca.json: address: required") {
		t.Errorf("error = %q", err)
	}
}
