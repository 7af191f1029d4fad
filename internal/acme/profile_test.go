package acme

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stride-pki/stride/internal/config"
)

const serverOnly = `{"subject":{{ toJson .Subject }},"sans":{{ toJson .SANs }},"keyUsage":["digitalSignature"],"extKeyUsage":["serverAuth"]}`

func acmeFields(t *testing.T, s string) config.ACMEFields {
	t.Helper()
	var p config.Provisioner
	if err := json.Unmarshal([]byte(s), &p); err != nil {
		t.Fatal(err)
	}
	f, err := p.ACME()
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestNewProfiles(t *testing.T) {
	inline, _ := json.Marshal(serverOnly)
	cases := []struct {
		name, fields string
		wantErr      string // "" = accepted
	}{
		{"None", `{}`, ""},
		{"Full", `{"profiles":{"classic":{"description":"90 days"},"short":{"description":"6 days","duration":"144h","templateFile":"server.tpl"},
			"inline":{"template":` + string(inline) + `}},"defaultProfile":"classic"}`, ""},
		{"DefaultWithoutProfiles", `{"defaultProfile":"x"}`, `defaultProfile "x" names no profile`},
		{"UnknownDefault", `{"profiles":{"a":{}},"defaultProfile":"b"}`, `defaultProfile "b" names no profile`},
		{"FileReadAtIssuance", `{"profiles":{"a":{"templateFile":"absent.tpl"}}}`, ""},
		{"BadBase64", `{"profiles":{"a":{"template":"!!"}}}`, `profile "a": the template is neither JSON nor base64`},
		{"BadTemplate", `{"profiles":{"a":{"template":"{{ .Nope "}}}`, `profile "a": parsing template`},
		{"TwoTemplates", `{"profiles":{"a":{"template":"{}","templateFile":"server.tpl"}}}`, "exclusive"},
		{"ZeroDuration", `{"profiles":{"a":{"duration":"0s"}}}`, "duration must be positive"},
		{"EmptyName", `{"profiles":{"":{}}}`, "needs a name"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ps, err := NewProfiles("acme", acmeFields(t, c.fields))
			if c.wantErr == "" && err != nil || c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)) {
				t.Fatalf("NewProfiles = %v; want error containing %q", err, c.wantErr)
			}
			if c.name == "None" && ps != nil {
				t.Fatalf("no profiles must give nil, got %+v", ps)
			}
		})
	}
}

func TestProfilesResolve(t *testing.T) {
	withDefault, err := NewProfiles("acme", acmeFields(t, `{"profiles":{"classic":{"description":"90 days"},
		"short":{"description":"6 days","duration":"144h","templateFile":"server.tpl"}},"defaultProfile":"classic"}`))
	if err != nil {
		t.Fatal(err)
	}
	noDefault, err := NewProfiles("acme", acmeFields(t, `{"profiles":{"short":{"duration":"144h"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		ps       *Profiles
		in       string
		want     string // resolved name; "-" = invalidProfile
		duration time.Duration
		template bool
	}{
		{"Named", withDefault, "short", "short", 144 * time.Hour, true},
		{"DefaultWhenAbsent", withDefault, "", "classic", 0, false},
		{"Unknown", withDefault, "tlsserver", "-", 0, false},
		{"CaseMatters", withDefault, "Short", "-", 0, false},
		{"NoDefaultMeansProvisioner", noDefault, "", "", 0, false},
		{"NoProfilesAbsent", nil, "", "", 0, false},
		{"NoProfilesNamed", nil, "short", "-", 0, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := c.ps.Resolve(c.in)
			if c.want == "-" {
				if problemType(err) != probInvalidProfile {
					t.Fatalf("Resolve(%q) = %+v, %v; want invalidProfile", c.in, p, err)
				}
				return
			}
			if err != nil || p.Name != c.want || p.Duration != c.duration || (p.X509 != nil) != c.template {
				t.Fatalf("Resolve(%q) = %+v, %v", c.in, p, err)
			}
		})
	}
	meta, _ := json.Marshal(withDefault.Meta())
	if string(meta) != `{"classic":"90 days","short":"6 days"}` {
		t.Errorf("Meta = %s", meta)
	}
	if (*Profiles)(nil).Meta() != nil || len((*Profiles)(nil).Names()) != 0 {
		t.Error("nil profiles must have no meta and no names")
	}
}
