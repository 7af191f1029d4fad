package policy

import (
	"testing"

	"github.com/stride-pki/stride/internal/config"
)

func TestX509DNS(t *testing.T) {
	wild := allow(config.X509Names{DNSDomains: strs("*.example.com")})
	exact := allow(config.X509Names{DNSDomains: strs("example.com")})
	runX509Cases(t, []x509Case{
		{name: "exact rule matches the name", policy: exact, names: dnsNames("example.com")},
		{name: "exact rule does not match a subdomain (label count)", policy: exact,
			names: dnsNames("www.example.com"), want: `dns name "www.example.com" not allowed`, reason: NotPermitted},
		{name: "wildcard rule matches one extra label", policy: wild, names: dnsNames("www.example.com")},
		{name: "wildcard rule does not match the apex", policy: wild,
			names: dnsNames("example.com"), want: `dns name "example.com" not allowed`, reason: NotPermitted},
		{name: "wildcard rule does not match two extra labels", policy: wild,
			names: dnsNames("a.b.example.com"), want: `dns name "a.b.example.com" not allowed`, reason: NotPermitted},
		{name: "wildcard rule does not match a suffix that is not a label", policy: wild,
			names: dnsNames("wwwexample.com"), want: `dns name "wwwexample.com" not allowed`, reason: NotPermitted},
		{name: "names are case-insensitive", policy: wild, names: dnsNames("WWW.Example.COM")},
		{name: "rules are case-insensitive",
			policy: allow(config.X509Names{DNSDomains: strs("*.EXAMPLE.com")}), names: dnsNames("www.example.com")},
		{name: "IDNA: unicode rule matches punycode name",
			policy: allow(config.X509Names{DNSDomains: strs("bücher.example")}), names: dnsNames("xn--bcher-kva.example")},
		{name: "IDNA: punycode rule matches unicode name",
			policy: allow(config.X509Names{DNSDomains: strs("xn--bcher-kva.example")}), names: dnsNames("Bücher.example")},
		{name: "IDNA: unicode deny catches punycode name",
			policy: deny(config.X509Names{DNSDomains: strs("*.bücher.example")}), names: dnsNames("shop.xn--bcher-kva.example"),
			want: `dns name "shop.xn--bcher-kva.example" not allowed`, reason: Denied},
		{name: "IDNA: disallowed rune makes the name malformed; %q escapes it",
			policy: exact, names: dnsNames("a\u00a0b.example.com"), want: `dns name "a\u00a0b.example.com" not allowed`, reason: Malformed},
		{name: "IDNA: ideographic full stop is a dot",
			policy: allow(config.X509Names{DNSDomains: strs("bücher.example")}), names: dnsNames("bücher\u3002example")},
		{name: "deny beats allow", policy: both(config.X509Names{DNSDomains: strs("*.example.com")},
			config.X509Names{DNSDomains: strs("bad.example.com")}),
			names: dnsNames("bad.example.com"), want: `dns name "bad.example.com" not allowed`, reason: Denied},
		{name: "deny only: other names pass", policy: deny(config.X509Names{DNSDomains: strs("evil.com")}),
			names: dnsNames("good.com")},
		{name: "deny only: the denied name fails", policy: deny(config.X509Names{DNSDomains: strs("evil.com")}),
			names: dnsNames("evil.com"), want: `dns name "evil.com" not allowed`, reason: Denied},
		{name: "deny exact rule does not reach subdomains", policy: deny(config.X509Names{DNSDomains: strs("evil.com")}),
			names: dnsNames("www.evil.com")},
		{name: "trailing dot is malformed, not a way around a deny",
			policy: deny(config.X509Names{DNSDomains: strs("evil.com")}),
			names:  dnsNames("evil.com."), want: `dns name "evil.com." not allowed`, reason: Malformed},
		{name: "double dot is malformed", policy: exact,
			names: dnsNames("a..example.com"), want: `dns name "a..example.com" not allowed`, reason: Malformed},
		{name: "wildcard not in first label is malformed", policy: wild,
			names: dnsNames("a.*.example.com"), want: `dns name "a.*.example.com" not allowed`, reason: Malformed},
		{name: "underscore labels are accepted",
			policy: allow(config.X509Names{DNSDomains: strs("*.example.com")}), names: dnsNames("_svc.example.com")},
		{name: "first failing name is reported", policy: wild,
			names: dnsNames("a.example.com", "b.other.com", "c.other.com"), want: `dns name "b.other.com" not allowed`},
	})
}

func TestX509WildcardNames(t *testing.T) {
	rules := config.X509Names{DNSDomains: strs("*.example.com")}
	withWildcards := &config.X509Policy{Allow: &rules, AllowWildcardNames: true}
	runX509Cases(t, []x509Case{
		{name: "literal wildcard refused by default", policy: allow(rules),
			names: dnsNames("*.example.com"), want: `dns name "*.example.com" not allowed`, reason: WildcardNotAllowed},
		{name: "literal wildcard refused by default under a deny-only policy",
			policy: deny(config.X509Names{DNSDomains: strs("evil.com")}),
			names:  dnsNames("*.example.com"), want: `dns name "*.example.com" not allowed`, reason: WildcardNotAllowed},
		{name: "allowWildcardNames lets a matching wildcard through", policy: withWildcards,
			names: dnsNames("*.example.com")},
		{name: "allowWildcardNames still needs a matching rule", policy: withWildcards,
			names: dnsNames("*.other.com"), want: `dns name "*.other.com" not allowed`, reason: NotPermitted},
		{name: "wildcard name does not match the apex rule",
			policy: &config.X509Policy{Allow: &config.X509Names{DNSDomains: strs("example.com")}, AllowWildcardNames: true},
			names:  dnsNames("*.example.com"), want: `dns name "*.example.com" not allowed`, reason: NotPermitted},
		{name: "no rules at all: wildcard allowed (empty policy)", policy: &config.X509Policy{},
			names: dnsNames("*.example.com")},
		{name: "a bare * name is malformed", policy: withWildcards,
			names: dnsNames("*"), want: `dns name "*" not allowed`, reason: Malformed},
	})
}

func TestDomainRuleValidation(t *testing.T) {
	cases := []struct {
		name, rule, want string
	}{
		{"leading dot", ".example.com", `x509 policy: allow dns rule ".example.com": a leading "." is not allowed; write "*.example.com" for subdomains`},
		{"bare star", "*", `x509 policy: allow dns rule "*": a wildcard is only allowed as a leading "*."`},
		{"star inside", "a.*.example.com", `x509 policy: allow dns rule "a.*.example.com": a wildcard is only allowed as a leading "*."`},
		{"partial star", "*foo.example.com", `x509 policy: allow dns rule "*foo.example.com": a wildcard is only allowed as a leading "*."`},
		{"double star", "*.*.example.com", `x509 policy: allow dns rule "*.*.example.com": a wildcard is only allowed as a leading "*."`},
		{"empty", "", `x509 policy: allow dns rule "": empty domain`},
		{"double dot", "a..b", `x509 policy: allow dns rule "a..b": empty label (leading, trailing or double dot)`},
		{"space", "a b.com", `x509 policy: allow dns rule "a b.com": invalid character ' '`},
		{"ok wildcard", "*.example.com", ""},
		{"ok idna", "bücher.example", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewX509Policy(allow(config.X509Names{DNSDomains: strs(tc.rule)}))
			if got := errText(err); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
