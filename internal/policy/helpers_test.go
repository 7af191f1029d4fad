package policy

import (
	"errors"
	"net"
	"net/url"
	"testing"

	"github.com/stride-pki/stride/internal/config"
)

// x509Case is one named rule of §5: a policy, the names asked for, and the
// exact error text expected ("" when the names are allowed).
type x509Case struct {
	name   string
	policy *config.X509Policy
	names  Names
	want   string
	reason Reason // checked when want != ""
}

func runX509Cases(t *testing.T, cases []x509Case) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := NewX509Policy(tc.policy)
			if err != nil {
				t.Fatalf("NewX509Policy: %v", err)
			}
			checkErr(t, p.AreNamesAllowed(tc.names), tc.want, tc.reason)
		})
	}
}

// checkErr asserts the exact error text and, for refusals, the reason.
func checkErr(t *testing.T, err error, want string, reason Reason) {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatalf("got %v, want allowed", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("allowed, want %q", want)
	}
	if err.Error() != want {
		t.Fatalf("got %q, want %q", err.Error(), want)
	}
	var npe *NamePolicyError
	if !errors.As(err, &npe) {
		t.Fatalf("error %T is not a *NamePolicyError", err)
	}
	if reason != 0 && npe.Reason != reason {
		t.Fatalf("reason %q (%s), want %q", npe.Reason, npe.Detail(), reason)
	}
}

func allow(n config.X509Names) *config.X509Policy { return &config.X509Policy{Allow: &n} }
func deny(n config.X509Names) *config.X509Policy  { return &config.X509Policy{Deny: &n} }
func both(a, d config.X509Names) *config.X509Policy {
	return &config.X509Policy{Allow: &a, Deny: &d}
}

func dnsNames(s ...string) Names   { return Names{DNSNames: s} }
func emails(s ...string) Names     { return Names{EmailAddresses: s} }
func cn(s string) Names            { return Names{CommonName: s} }
func ips(s ...string) Names        { return Names{IPAddresses: parseIPs(s)} }
func uris(s ...string) Names       { return Names{URIs: parseURIs(s)} }
func strs(s ...string) []string    { return s }
func parseIPs(s []string) []net.IP { return mapSlice(s, net.ParseIP) }
func parseURIs(s []string) []*url.URL {
	return mapSlice(s, func(s string) *url.URL { u, _ := url.Parse(s); return u })
}

func mapSlice[T, U any](in []T, f func(T) U) []U {
	out := make([]U, 0, len(in))
	for _, v := range in {
		out = append(out, f(v))
	}
	return out
}
