package config

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// sameJSON fails unless a and b hold the same JSON values, key for key.
func sameJSON(t *testing.T, a, b []byte) {
	t.Helper()
	var va, vb any
	if err := json.Unmarshal(a, &va); err != nil {
		t.Fatalf("first: %v", err)
	}
	if err := json.Unmarshal(b, &vb); err != nil {
		t.Fatalf("second: %v", err)
	}
	if !reflect.DeepEqual(va, vb) {
		t.Errorf("JSON differs:\n%s\n---\n%s", a, b)
	}
}

// TestRoundTripFixtures loads ca.json files written by the real `step ca
// init` (and rewritten by `step ca provisioner add`) unchanged, plus a file
// using every field with unknown members at every level, and checks that
// writing them back keeps every member and value.
func TestRoundTripFixtures(t *testing.T) {
	for _, name := range []string{"step-init-ca.json", "step-provisioner-add-ca.json", "full-ca.json"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("testdata", name)
			in, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			c, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			out := filepath.Join(t.TempDir(), "ca.json")
			if err := Write(out, c); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			sameJSON(t, in, got)
		})
	}
}

func TestStepInitFixture(t *testing.T) {
	c, err := Load(filepath.Join("testdata", "step-init-ca.json"))
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"root", c.Root, Roots{Paths: []string{"/home/user/.step/certs/root_ca.crt"}}},
		{"address", c.Address, "127.0.0.1:9000"},
		{"db.type", c.DB.Type, DBTypeBadgerV2},
		{"tls.minVersion", c.TLS.MinVersion, TLSVersion(1.2)},
		{"provisioners", len(c.Authority.Provisioners), 3},
		{"types", []string{c.Authority.Provisioners[0].Type(), c.Authority.Provisioners[1].Type(), c.Authority.Provisioners[2].Type()},
			[]string{ProvisionerJWK, ProvisionerACME, ProvisionerSSHPOP}},
		{"name", c.Authority.Provisioners[0].Name(), "admin@example.com"},
		{"ssh.hostKey", c.SSH.HostKey, "/home/user/.step/secrets/ssh_host_ca_key"},
		{"templates", len(c.Templates.SSH.User), 4},
	}
	for _, tc := range checks {
		if !reflect.DeepEqual(tc.got, tc.want) {
			t.Errorf("%s = %#v, want %#v", tc.name, tc.got, tc.want)
		}
	}
	jwk, err := c.Authority.Provisioners[0].JWK()
	if err != nil || !strings.HasPrefix(jwk.EncryptedKey, "eyJ") || !json.Valid(jwk.Key) {
		t.Errorf("JWK view = %+v, %v", jwk, err)
	}
	common, err := c.Authority.Provisioners[0].Common()
	if err != nil || common.Claims == nil || common.Claims.EnableSSHCA == nil || !*common.Claims.EnableSSHCA {
		t.Errorf("claims = %+v, %v", common.Claims, err)
	}
}

func TestFullFixtureFields(t *testing.T) {
	c, err := Load(filepath.Join("testdata", "full-ca.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Root.Array || len(c.Root.Paths) != 2 {
		t.Errorf("root = %+v", c.Root)
	}
	if string(c.Extra["x-top-future"]) == "" || string(c.Authority.Extra["x-authority-future"]) != `"a"` {
		t.Errorf("extras not kept: %v / %v", c.Extra, c.Authority.Extra)
	}
	if c.Authority.Policy.X509.Deny.Extra["x-names-future"] == nil {
		t.Error("nested policy extra lost")
	}
	if c.Authority.BackdateOrDefault().String() != "2m0s" {
		t.Errorf("backdate = %v", c.Authority.BackdateOrDefault())
	}
	p := c.Authority.Provisioners[0]
	if p.Type() != ProvisionerJWK {
		t.Errorf("lower-case type not canonical: %q", p.Type())
	}
	pc, err := p.Common()
	if err != nil {
		t.Fatal(err)
	}
	if pc.Options.X509.TemplateFile != "templates/leaf.tpl" || pc.Options.Extra["x-options-future"] == nil ||
		pc.Options.Webhooks[0].Extra["x-hook-future"] == nil {
		t.Errorf("options = %+v", pc.Options)
	}
	acme, err := c.Authority.Provisioners[1].ACME()
	if err != nil || !acme.ForceCN || !acme.RequireEAB || len(acme.Challenges) != 2 {
		t.Errorf("acme = %+v, %v", acme, err)
	}
	x5c, err := c.Authority.Provisioners[2].X5C()
	if err != nil || !strings.HasPrefix(string(x5c.Roots), "-----BEGIN CERTIFICATE") {
		t.Errorf("x5c = %q, %v", x5c.Roots, err)
	}
	if got := c.Authority.Provisioners[5].Type(); got != "Future" {
		t.Errorf("unknown type = %q", got)
	}
}

func TestRootsForm(t *testing.T) {
	tests := []struct {
		name, in, out string
	}{
		{"string", `"a.crt"`, `"a.crt"`},
		{"array of one", `["a.crt"]`, `["a.crt"]`},
		{"array", `["a.crt","b.crt"]`, `["a.crt","b.crt"]`},
		{"empty string", `""`, `""`},
		{"empty array", `[]`, `[]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var r Roots
			if err := json.Unmarshal([]byte(tc.in), &r); err != nil {
				t.Fatal(err)
			}
			b, err := json.Marshal(r)
			if err != nil || string(b) != tc.out {
				t.Errorf("got %s, %v; want %s", b, err, tc.out)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"syntax", "{\n  \"address\": \":443\",\n  \"crt\" \"x\"\n}", "ca.json:3:9: invalid JSON"},
		{"type", "{\n  \"address\": 443\n}", `ca.json:2:17: field "address": cannot use JSON number as string`},
		{"nested type", "{\"authority\": {\n\"enableAdmin\": \"yes\"}}", `ca.json:2:21: field "authority.enableAdmin"`},
		{"bad duration", `{"authority":{"claims":{"maxTLSCertDuration":"1 day"}}}`,
			`ca.json: field "authority.claims.maxTLSCertDuration": cannot use JSON string "1 day" as config.Duration`},
		{"duration number", `{"authority":{"backdate":60}}`, `field "authority.backdate": cannot use JSON number`},
		{"root number", `{"root":1}`, `field "root": cannot use JSON number as config.Roots`},
		{"provisioner not object", `{"authority":{"provisioners":["jwk"]}}`, `field "authority.provisioners": cannot use JSON string`},
		{"not an object", `["a"]`, "ca.json: want a JSON object, found array"},
		{"empty", ``, "ca.json:1:1: invalid JSON"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.in), "ca.json")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestWrite(t *testing.T) {
	c := &CAConfig{Root: Roots{Paths: []string{"r.crt"}}, Address: ":443", Extra: Extra{"zz": json.RawMessage(`1`)}}
	path := filepath.Join(t.TempDir(), "config", "ca.json")
	if err := Write(path, c); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v, want 0600", st.Mode().Perm())
	}
	b, _ := os.ReadFile(path)
	want := "{\n  \"root\": \"r.crt\",\n  \"federatedRoots\": null,\n"
	if !strings.HasPrefix(string(b), want) || !strings.HasSuffix(string(b), "  \"zz\": 1\n}\n") {
		t.Errorf("written:\n%s", b)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
}

func TestApplyDefaults(t *testing.T) {
	c := &CAConfig{}
	c.ApplyDefaults()
	if !reflect.DeepEqual(c.DNSNames, []string{"localhost", "127.0.0.1", "::1"}) || c.CommonName != "Step Online CA" ||
		c.Authority.BackdateOrDefault() != DefaultBackdate || c.TLS.MaxVersion != 1.3 {
		t.Errorf("defaults = %+v", c)
	}
}
