package policy

import (
	"testing"

	"github.com/stride-pki/stride/internal/config"
)

func TestSSH(t *testing.T) {
	userOnly := &config.SSHPolicy{User: &config.SSHUserPolicy{
		Allow: &config.SSHUserNames{EmailAddresses: strs("@example.com"), Principals: strs("alice", "bob")},
		Deny:  &config.SSHUserNames{Principals: strs("root")},
	}}
	hostOnly := &config.SSHPolicy{Host: &config.SSHHostPolicy{
		Allow: &config.SSHHostNames{DNSDomains: strs("*.example.com"), IPRanges: strs("10.0.0.0/8"), Principals: strs("bastion")},
		Deny:  &config.SSHHostNames{DNSDomains: strs("db.example.com")},
	}}
	anyUser := &config.SSHPolicy{User: &config.SSHUserPolicy{
		Allow: &config.SSHUserNames{Principals: strs("*")},
		Deny:  &config.SSHUserNames{Principals: strs("root")},
	}}
	principalsOnly := &config.SSHPolicy{User: &config.SSHUserPolicy{
		Allow: &config.SSHUserNames{Principals: strs("alice")},
	}}
	userDenyOnly := &config.SSHPolicy{User: &config.SSHUserPolicy{
		Deny: &config.SSHUserNames{EmailAddresses: strs("evil.com")},
	}}
	hostDenyPrincipal := &config.SSHPolicy{Host: &config.SSHHostPolicy{
		Deny: &config.SSHHostNames{Principals: strs("localhost")},
	}}
	cases := []struct {
		name       string
		policy     *config.SSHPolicy
		certType   string
		principals []string
		want       string
		reason     Reason
	}{
		{"nil policy allows all", nil, SSHHostCert, strs("anything"), "", 0},
		{"empty policy allows all", &config.SSHPolicy{User: &config.SSHUserPolicy{}}, SSHUserCert, strs("root"), "", 0},
		{"user: principal allowed", userOnly, SSHUserCert, strs("alice", "bob"), "", 0},
		{"user: principal not on the list", userOnly, SSHUserCert, strs("alice", "carol"),
			`principal name "carol" not allowed`, NotPermitted},
		{"user: principal denied", userOnly, SSHUserCert, strs("root"), `principal name "root" not allowed`, Denied},
		{"user: email principal meets email rules", userOnly, SSHUserCert, strs("alice@example.com"), "", 0},
		{"user: email principal at another domain", userOnly, SSHUserCert, strs("alice@evil.com"),
			`email name "alice@evil.com" not allowed`, NotPermitted},
		{"user: principal rules do not cover emails", principalsOnly, SSHUserCert, strs("alice@example.com"),
			`email name "alice@example.com" not allowed`, NotExplicitlyPermitted},
		{"user: principals are case-sensitive", principalsOnly, SSHUserCert, strs("Alice"),
			`principal name "Alice" not allowed`, NotPermitted},
		{"user: * allows any principal", anyUser, SSHUserCert, strs("alice", "deploy", "10.0.0.1"), "", 0},
		{"user: * still loses to deny", anyUser, SSHUserCert, strs("root"), `principal name "root" not allowed`, Denied},
		{"user: * does not cover emails", anyUser, SSHUserCert, strs("a@example.com"),
			`email name "a@example.com" not allowed`, NotExplicitlyPermitted},
		{"user: deny only, other types pass", userDenyOnly, SSHUserCert, strs("alice", "bob@example.com"), "", 0},
		{"user: deny only, denied email", userDenyOnly, SSHUserCert, strs("m@evil.com"),
			`email name "m@evil.com" not allowed`, Denied},
		{"user rules only: host certs refused", userOnly, SSHHostCert, strs("web.example.com"),
			`dns name "web.example.com" not allowed`, CertTypeNotAllowed},
		{"user rules only (deny only): host certs refused", userDenyOnly, SSHHostCert, strs("10.0.0.1"),
			`ip name "10.0.0.1" not allowed`, CertTypeNotAllowed},
		{"host: dns allowed", hostOnly, SSHHostCert, strs("web.example.com", "10.1.2.3"), "", 0},
		{"host: dns wildcard one label only", hostOnly, SSHHostCert, strs("a.web.example.com"),
			`dns name "a.web.example.com" not allowed`, NotPermitted},
		{"host: dns apex not matched by wildcard", hostOnly, SSHHostCert, strs("example.com"),
			`dns name "example.com" not allowed`, NotPermitted},
		{"host: dns denied", hostOnly, SSHHostCert, strs("db.example.com"), `dns name "db.example.com" not allowed`, Denied},
		{"host: ip outside", hostOnly, SSHHostCert, strs("192.168.0.1"), `ip name "192.168.0.1" not allowed`, NotPermitted},
		{"host: principal rule permits a bare name", hostOnly, SSHHostCert, strs("bastion"), "", 0},
		{"host: other bare name refused", hostOnly, SSHHostCert, strs("printer"), `dns name "printer" not allowed`, NotPermitted},
		{"host: URI principal refused", hostOnly, SSHHostCert, strs("https://web.example.com"),
			`uri name "https://web.example.com" not allowed`, UnsupportedType},
		{"host: email-like principal is a malformed dns name", hostOnly, SSHHostCert, strs("a@example.com"),
			`dns name "a@example.com" not allowed`, Malformed},
		{"host: dns is case-insensitive", hostOnly, SSHHostCert, strs("WEB.Example.com"), "", 0},
		{"host: principal deny", hostDenyPrincipal, SSHHostCert, strs("localhost"), `dns name "localhost" not allowed`, Denied},
		{"host: principal deny only, others pass", hostDenyPrincipal, SSHHostCert, strs("web", "10.0.0.1"), "", 0},
		{"host rules only: user certs refused", hostOnly, SSHUserCert, strs("alice"),
			`principal name "alice" not allowed`, CertTypeNotAllowed},
		{"host rules only: user email refused", hostOnly, SSHUserCert, strs("a@example.com"),
			`email name "a@example.com" not allowed`, CertTypeNotAllowed},
		{"no principals refused under a policy", userOnly, SSHUserCert, nil, `principal name "" not allowed`, NoPrincipals},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := NewSSHPolicy(tc.policy)
			if err != nil {
				t.Fatalf("NewSSHPolicy: %v", err)
			}
			checkErr(t, p.IsSSHCertificateAllowed(tc.certType, tc.principals), tc.want, tc.reason)
		})
	}
	t.Run("unknown cert type", func(t *testing.T) {
		p, _ := NewSSHPolicy(userOnly)
		err := p.IsSSHCertificateAllowed("other", strs("x"))
		if want := `policy: unknown ssh certificate type "other"`; errText(err) != want {
			t.Fatalf("got %v, want %q", err, want)
		}
	})
}

func TestSSHRuleValidation(t *testing.T) {
	cases := []struct {
		name   string
		policy *config.SSHPolicy
		want   string
	}{
		{"user partial star", &config.SSHPolicy{User: &config.SSHUserPolicy{Allow: &config.SSHUserNames{Principals: strs("web*")}}},
			`ssh user policy: allow principal rule "web*": "*" is only allowed alone, meaning any principal`},
		{"user empty principal", &config.SSHPolicy{User: &config.SSHUserPolicy{Deny: &config.SSHUserNames{Principals: strs("")}}},
			`ssh user policy: deny principal rule "": empty rule`},
		{"user email wildcard", &config.SSHPolicy{User: &config.SSHUserPolicy{Allow: &config.SSHUserNames{EmailAddresses: strs("*@x.com")}}},
			`ssh user policy: allow email rule "*@x.com": wildcards are not allowed in email rules`},
		{"host dns leading dot", &config.SSHPolicy{Host: &config.SSHHostPolicy{Allow: &config.SSHHostNames{DNSDomains: strs(".x.com")}}},
			`ssh host policy: allow dns rule ".x.com": a leading "." is not allowed; write "*.x.com" for subdomains`},
		{"host bad ip", &config.SSHPolicy{Host: &config.SSHHostPolicy{Deny: &config.SSHHostNames{IPRanges: strs("300.0.0.1")}}},
			`ssh host policy: deny ip rule "300.0.0.1": ParseAddr("300.0.0.1"): IPv4 field has value >255`},
		{"host principal star ok", &config.SSHPolicy{Host: &config.SSHHostPolicy{Allow: &config.SSHHostNames{Principals: strs("*")}}}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewSSHPolicy(tc.policy)
			if got := errText(err); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}
