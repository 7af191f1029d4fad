package policy

import (
	"testing"

	"github.com/stride-pki/stride/internal/config"
)

func TestX509IP(t *testing.T) {
	v4 := allow(config.X509Names{IPRanges: strs("10.0.0.0/8", "192.168.1.10")})
	v6 := allow(config.X509Names{IPRanges: strs("2001:db8::/32", "::1")})
	runX509Cases(t, []x509Case{
		{name: "CIDR contains", policy: v4, names: ips("10.200.3.4")},
		{name: "CIDR does not contain", policy: v4,
			names: ips("11.0.0.1"), want: `ip name "11.0.0.1" not allowed`, reason: NotPermitted},
		{name: "single address matches itself", policy: v4, names: ips("192.168.1.10")},
		{name: "single address is a /32", policy: v4,
			names: ips("192.168.1.11"), want: `ip name "192.168.1.11" not allowed`, reason: NotPermitted},
		{name: "IPv6 CIDR contains", policy: v6, names: ips("2001:db8:1::5")},
		{name: "IPv6 single address", policy: v6, names: ips("::1")},
		{name: "IPv6 outside", policy: v6,
			names: ips("2001:db9::1"), want: `ip name "2001:db9::1" not allowed`, reason: NotPermitted},
		{name: "IPv4 name never matches an IPv6 rule", policy: v6,
			names: ips("10.0.0.1"), want: `ip name "10.0.0.1" not allowed`, reason: NotPermitted},
		{name: "IPv4-mapped IPv6 rule matches IPv4 name",
			policy: allow(config.X509Names{IPRanges: strs("::ffff:10.0.0.0/104")}), names: ips("10.1.2.3")},
		{name: "deny CIDR", policy: deny(config.X509Names{IPRanges: strs("10.0.0.0/8")}),
			names: ips("10.9.9.9"), want: `ip name "10.9.9.9" not allowed`, reason: Denied},
		{name: "deny CIDR, address outside passes", policy: deny(config.X509Names{IPRanges: strs("10.0.0.0/8")}),
			names: ips("172.16.0.1")},
		{name: "host bits in a CIDR rule are masked",
			policy: allow(config.X509Names{IPRanges: strs("10.1.2.3/16")}), names: ips("10.1.200.200")},
	})
}

func TestX509Email(t *testing.T) {
	runX509Cases(t, []x509Case{
		{name: "user@dom matches that mailbox",
			policy: allow(config.X509Names{EmailAddresses: strs("alice@example.com")}), names: emails("alice@example.com")},
		{name: "user@dom: other local part refused",
			policy: allow(config.X509Names{EmailAddresses: strs("alice@example.com")}),
			names:  emails("bob@example.com"), want: `email name "bob@example.com" not allowed`, reason: NotPermitted},
		{name: "user@dom: local part is case-sensitive",
			policy: allow(config.X509Names{EmailAddresses: strs("alice@example.com")}),
			names:  emails("Alice@example.com"), want: `email name "Alice@example.com" not allowed`, reason: NotPermitted},
		{name: "user@dom: domain is case-insensitive",
			policy: allow(config.X509Names{EmailAddresses: strs("alice@example.com")}), names: emails("alice@EXAMPLE.com")},
		{name: "@dom matches any mailbox there",
			policy: allow(config.X509Names{EmailAddresses: strs("@example.com")}), names: emails("bob@example.com")},
		{name: "dom matches any mailbox there",
			policy: allow(config.X509Names{EmailAddresses: strs("example.com")}), names: emails("carol@example.com")},
		{name: "dom does not match subdomains",
			policy: allow(config.X509Names{EmailAddresses: strs("example.com")}),
			names:  emails("carol@mail.example.com"), want: `email name "carol@mail.example.com" not allowed`, reason: NotPermitted},
		{name: "IDNA domain",
			policy: allow(config.X509Names{EmailAddresses: strs("@bücher.example")}), names: emails("x@xn--bcher-kva.example")},
		{name: "deny a domain", policy: deny(config.X509Names{EmailAddresses: strs("evil.com")}),
			names: emails("mallory@evil.com"), want: `email name "mallory@evil.com" not allowed`, reason: Denied},
		{name: "deny a mailbox, neighbour passes", policy: deny(config.X509Names{EmailAddresses: strs("root@example.com")}),
			names: emails("alice@example.com")},
		{name: "no @ in a requested email is malformed", policy: deny(config.X509Names{EmailAddresses: strs("evil.com")}),
			names: emails("evil.com"), want: `email name "evil.com" not allowed`, reason: Malformed},
	})
}

func TestX509URI(t *testing.T) {
	wild := allow(config.X509Names{URIDomains: strs("*.example.com")})
	runX509Cases(t, []x509Case{
		{name: "host matches; scheme, port and path ignored", policy: wild, names: uris("https://api.example.com:8443/v1?x=y")},
		{name: "spiffe URI host", policy: allow(config.X509Names{URIDomains: strs("trust.example")}),
			names: uris("spiffe://trust.example/ns/default/sa/web")},
		{name: "wildcard does not match the apex host", policy: wild,
			names: uris("https://example.com/"), want: `uri name "https://example.com/" not allowed`, reason: NotPermitted},
		{name: "wildcard one label only", policy: wild,
			names: uris("https://a.b.example.com"), want: `uri name "https://a.b.example.com" not allowed`, reason: NotPermitted},
		{name: "host is case-insensitive", policy: wild, names: uris("https://API.Example.com")},
		{name: "IPv4 host refused", policy: deny(config.X509Names{URIDomains: strs("evil.com")}),
			names: uris("https://10.0.0.1/"), want: `uri name "https://10.0.0.1/" not allowed`, reason: IPHostNotAllowed},
		{name: "IPv6 host refused", policy: wild,
			names: uris("https://[::1]:443/"), want: `uri name "https://[::1]:443/" not allowed`, reason: IPHostNotAllowed},
		{name: "URI without a host refused", policy: wild,
			names: uris("urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e"),
			want:  `uri name "urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e" not allowed`, reason: Malformed},
		{name: "deny a host", policy: deny(config.X509Names{URIDomains: strs("evil.com")}),
			names: uris("spiffe://evil.com/x"), want: `uri name "spiffe://evil.com/x" not allowed`, reason: Denied},
	})
}

func TestX509AcrossTypes(t *testing.T) {
	dnsOnly := allow(config.X509Names{DNSDomains: strs("*.example.com")})
	runX509Cases(t, []x509Case{
		{name: "nil policy allows everything", policy: nil,
			names: Names{CommonName: "anything", DNSNames: strs("*.x"), IPAddresses: parseIPs(strs("1.1.1.1"))}},
		{name: "empty allow and deny allow everything",
			policy: both(config.X509Names{}, config.X509Names{}), names: dnsNames("a.b.c")},
		{name: "allow rule of another type: ip refused", policy: dnsOnly,
			names: ips("10.0.0.1"), want: `ip name "10.0.0.1" not allowed`, reason: NotExplicitlyPermitted},
		{name: "allow rule of another type: email refused", policy: dnsOnly,
			names: emails("a@example.com"), want: `email name "a@example.com" not allowed`, reason: NotExplicitlyPermitted},
		{name: "allow rule of another type: uri refused", policy: dnsOnly,
			names: uris("https://www.example.com"), want: `uri name "https://www.example.com" not allowed`, reason: NotExplicitlyPermitted},
		{name: "only deny rules elsewhere: ip allowed",
			policy: deny(config.X509Names{DNSDomains: strs("evil.com")}), names: ips("10.0.0.1")},
		{name: "only deny rules elsewhere: email and uri allowed",
			policy: deny(config.X509Names{DNSDomains: strs("evil.com")}),
			names:  Names{EmailAddresses: strs("a@b.com"), URIs: parseURIs(strs("https://c.com"))}},
		{name: "deny of another type does not turn allow-listing on",
			policy: both(config.X509Names{DNSDomains: strs("*.example.com")}, config.X509Names{IPRanges: strs("10.0.0.0/8")}),
			names:  Names{DNSNames: strs("a.example.com"), IPAddresses: parseIPs(strs("10.0.0.1"))},
			want:   `ip name "10.0.0.1" not allowed`, reason: Denied},
		{name: "SANs before CN; dns before ip", policy: dnsOnly,
			names: Names{CommonName: "bad", DNSNames: strs("ok.example.com", "bad.other"), IPAddresses: parseIPs(strs("1.2.3.4"))},
			want:  `dns name "bad.other" not allowed`},
	})
}

func TestX509CommonName(t *testing.T) {
	runX509Cases(t, []x509Case{
		{name: "empty CN skipped", policy: allow(config.X509Names{CommonNames: strs("x")}), names: cn("")},
		{name: "cn allow, exact", policy: allow(config.X509Names{CommonNames: strs("My Service")}), names: cn("My Service")},
		{name: "cn allow, case-insensitive", policy: allow(config.X509Names{CommonNames: strs("My Service")}), names: cn("my service")},
		{name: "cn allow misses, re-classified dns has no rule: refused as dns",
			policy: allow(config.X509Names{CommonNames: strs("foo")}),
			names:  cn("bar"), want: `dns name "bar" not allowed`, reason: NotExplicitlyPermitted},
		{name: "no cn rules: CN judged as dns",
			policy: allow(config.X509Names{DNSDomains: strs("*.example.com")}), names: cn("www.example.com")},
		{name: "no cn rules: CN judged as dns and refused",
			policy: allow(config.X509Names{DNSDomains: strs("*.example.com")}),
			names:  cn("www.evil.com"), want: `dns name "www.evil.com" not allowed`, reason: NotPermitted},
		{name: "no cn rules: dns deny catches the CN",
			policy: deny(config.X509Names{DNSDomains: strs("evil.com")}),
			names:  cn("evil.com"), want: `dns name "evil.com" not allowed`, reason: Denied},
		{name: "CN re-classified as ip",
			policy: allow(config.X509Names{IPRanges: strs("10.0.0.0/8")}), names: cn("10.1.1.1")},
		{name: "CN re-classified as ip, refused",
			policy: allow(config.X509Names{IPRanges: strs("10.0.0.0/8")}),
			names:  cn("11.1.1.1"), want: `ip name "11.1.1.1" not allowed`, reason: NotPermitted},
		{name: "CN re-classified as email",
			policy: allow(config.X509Names{EmailAddresses: strs("example.com")}), names: cn("alice@example.com")},
		{name: "CN re-classified as uri",
			policy: allow(config.X509Names{URIDomains: strs("example.com")}), names: cn("spiffe://example.com/web")},
		{name: "CN re-classified as uri keeps the CN's spelling in the error",
			policy: allow(config.X509Names{URIDomains: strs("example.com")}),
			names:  cn("spiffe://EVIL.com/web"), want: `uri name "spiffe://EVIL.com/web" not allowed`, reason: NotPermitted},
		{name: "CN wildcard obeys allowWildcardNames",
			policy: allow(config.X509Names{DNSDomains: strs("*.example.com")}),
			names:  cn("*.example.com"), want: `dns name "*.example.com" not allowed`, reason: WildcardNotAllowed},
		{name: "typed allow overrides a cn deny",
			policy: both(config.X509Names{DNSDomains: strs("*.example.com")}, config.X509Names{CommonNames: strs("www.example.com")}),
			names:  cn("www.example.com")},
		{name: "cn deny, typed allow misses: refused as dns",
			policy: both(config.X509Names{DNSDomains: strs("*.example.com")}, config.X509Names{CommonNames: strs("root")}),
			names:  cn("root"), want: `dns name "root" not allowed`, reason: NotPermitted},
		{name: "cn deny alone still denies (no typed allow to override it)",
			policy: deny(config.X509Names{CommonNames: strs("root")}),
			names:  cn("ROOT"), want: `cn name "ROOT" not allowed`, reason: Denied},
		{name: "cn deny alone: other CNs pass",
			policy: deny(config.X509Names{CommonNames: strs("root")}), names: cn("alice")},
		{name: "cn rules exist and pass: typed deny not consulted",
			policy: both(config.X509Names{CommonNames: strs("evil.com")}, config.X509Names{DNSDomains: strs("evil.com")}),
			names:  cn("evil.com")},
		{name: "cn allow passes even with dns allow rules",
			policy: allow(config.X509Names{CommonNames: strs("Jane Doe"), DNSDomains: strs("*.example.com")}), names: cn("Jane Doe")},
		{name: "person-name CN under a dns allow list is refused as malformed dns",
			policy: allow(config.X509Names{DNSDomains: strs("*.example.com")}),
			names:  cn("Jane Doe"), want: `dns name "Jane Doe" not allowed`, reason: Malformed},
	})
}

func TestX509RuleValidation(t *testing.T) {
	cases := []struct {
		name  string
		rules config.X509Names
		want  string
	}{
		{"cn wildcard", config.X509Names{CommonNames: strs("*.example.com")},
			`x509 policy: allow cn rule "*.example.com": wildcards are not allowed in cn rules`},
		{"cn empty", config.X509Names{CommonNames: strs("")}, `x509 policy: allow cn rule "": empty rule`},
		{"ip garbage", config.X509Names{IPRanges: strs("10.0.0")},
			`x509 policy: allow ip rule "10.0.0": ParseAddr("10.0.0"): IPv4 address too short`},
		{"ip bad prefix", config.X509Names{IPRanges: strs("10.0.0.0/33")},
			`x509 policy: allow ip rule "10.0.0.0/33": netip.ParsePrefix("10.0.0.0/33"): prefix length out of range`},
		{"ip range syntax", config.X509Names{IPRanges: strs("10.0.0.1-10.0.0.9")},
			`x509 policy: allow ip rule "10.0.0.1-10.0.0.9": ParseAddr("10.0.0.1-10.0.0.9"): unexpected character (at "-10.0.0.9")`},
		{"ip zone", config.X509Names{IPRanges: strs("fe80::1%eth0")},
			`x509 policy: allow ip rule "fe80::1%eth0": zoned addresses are not allowed`},
		{"email wildcard", config.X509Names{EmailAddresses: strs("*@example.com")},
			`x509 policy: allow email rule "*@example.com": wildcards are not allowed in email rules`},
		{"email leading dot", config.X509Names{EmailAddresses: strs(".example.com")},
			`x509 policy: allow email rule ".example.com": a leading "." is not allowed; an email rule names one domain exactly`},
		{"email no domain", config.X509Names{EmailAddresses: strs("alice@")},
			`x509 policy: allow email rule "alice@": empty domain`},
		{"uri with scheme", config.X509Names{URIDomains: strs("https://example.com")},
			`x509 policy: allow uri rule "https://example.com": a uri rule is a domain (matched against the URI's host), without scheme, port or path`},
		{"uri leading dot", config.X509Names{URIDomains: strs(".example.com")},
			`x509 policy: allow uri rule ".example.com": a leading "." is not allowed; write "*.example.com" for subdomains`},
		{"all good", config.X509Names{CommonNames: strs("x"), DNSDomains: strs("*.a.b"), IPRanges: strs("::/0"),
			EmailAddresses: strs("a@b", "@c", "d"), URIDomains: strs("*.e.f")}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewX509Policy(allow(tc.rules))
			if got := errText(err); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
	t.Run("deny side is named", func(t *testing.T) {
		_, err := NewX509Policy(deny(config.X509Names{DNSDomains: strs(".x")}))
		want := `x509 policy: deny dns rule ".x": a leading "." is not allowed; write "*.x" for subdomains`
		if got := errText(err); got != want {
			t.Fatalf("got %q, want %q", got, want)
		}
	})
}
