package acme

import (
	"testing"

	"github.com/stride-pki/stride/internal/storage"
)

func TestEABPolicyAllows(t *testing.T) {
	dns := func(v ...string) []storage.ACMEIdentifier {
		var ids []storage.ACMEIdentifier
		for _, s := range v {
			ids = append(ids, storage.ACMEIdentifier{Type: "dns", Value: s})
		}
		return ids
	}
	ip := func(v string) []storage.ACMEIdentifier { return []storage.ACMEIdentifier{{Type: "ip", Value: v}} }
	const team = `{"allow":{"dns":["*.team.example","team.example"],"ip":["10.1.0.0/16"]},"deny":{"dns":["secret.team.example"]}}`
	cases := []struct {
		name, policy string
		ids          []storage.ACMEIdentifier
		want         string
	}{
		{"NoPolicy", "", dns("anything.example"), ""},
		{"EmptyObject", `{}`, dns("anything.example"), ""},
		{"Allowed", team, dns("team.example", "www.team.example"), ""},
		{"NotAllowed", team, dns("www.team.example", "other.example"), probRejectedIdentifier},
		{"Denied", team, dns("secret.team.example"), probRejectedIdentifier},
		{"IPAllowed", team, ip("10.1.2.3"), ""},
		{"IPNotAllowed", team, ip("10.2.0.1"), probRejectedIdentifier},
		{"BadIP", team, ip("10.2.0"), probMalformed},
		{"WildcardRefusedByDefault", team, dns("*.team.example"), probRejectedIdentifier},
		{"WildcardAllowed", `{"allow":{"dns":["*.team.example"]},"allowWildcardNames":true}`, dns("*.team.example"), ""},
		{"DenyOnly", `{"deny":{"dns":["*.prod.example"]}}`, dns("a.dev.example"), ""},
		{"DenyOnlyRefuses", `{"deny":{"dns":["*.prod.example"]}}`, dns("a.prod.example"), probRejectedIdentifier},
		{"OtherTypeNotJudged", team, []storage.ACMEIdentifier{{Type: "permanent-identifier", Value: "SN123"}}, ""},
		{"BrokenJSON", `{"allow":`, dns("a.example"), probServerInternal},
		{"BadRule", `{"allow":{"dns":[".leading.dot"]}}`, dns("a.example"), probServerInternal},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := EABPolicyAllows([]byte(c.policy), c.ids)
			if got := problemType(err); got != c.want {
				t.Fatalf("EABPolicyAllows = %v; want problem %q", err, c.want)
			}
		})
	}
}
