package policy

import (
	"net"
	"net/url"
	"strings"
	"testing"

	"github.com/stride-pki/stride/internal/config"
)

// FuzzX509Policy feeds random rules and names through construction and
// every check. It asserts no panics, and that a refusal is always a
// *NamePolicyError whose text has step's shape.
func FuzzX509Policy(f *testing.F) {
	f.Add("*.example.com", "10.0.0.0/8", "@example.com", "cn", "www.example.com", "10.0.0.1", "a@example.com", "https://x.example.com/p", true)
	f.Add("bücher.example", "::1", "a@b", "*", "xn--bcher-kva.example", "::ffff:1.2.3.4", "@", "urn:x", false)
	f.Add(".x", "1.2.3.4/33", "*@x", "", "*.x", "", "a@", "http://[::1]/", false)
	f.Fuzz(func(t *testing.T, dnsRule, ipRule, emailRule, cnRule, name, ipName, email, uri string, deny bool) {
		names := config.X509Names{
			CommonNames:    []string{cnRule},
			DNSDomains:     []string{dnsRule},
			IPRanges:       []string{ipRule},
			EmailAddresses: []string{emailRule},
			URIDomains:     []string{dnsRule},
		}
		c := &config.X509Policy{Allow: &names, AllowWildcardNames: deny}
		if deny {
			c = &config.X509Policy{Deny: &names}
		}
		p, err := NewX509Policy(c)
		if err != nil {
			p, _ = NewX509Policy(&config.X509Policy{Deny: &config.X509Names{DNSDomains: []string{"example.com"}}})
		}
		n := Names{CommonName: name, DNSNames: []string{name}, EmailAddresses: []string{email},
			IPAddresses: []net.IP{net.ParseIP(ipName), net.IP(ipName)}}
		if u, err := url.Parse(uri); err == nil {
			n.URIs = []*url.URL{u}
		}
		for _, err := range []error{
			p.AreNamesAllowed(n),
			p.AreSANsAllowed([]string{name, ipName, email, uri}),
			p.IsDNSAllowed(name),
			p.IsIPAllowed(net.IP(ipName)),
		} {
			checkShape(t, err)
		}
		s, err := NewSSHPolicy(&config.SSHPolicy{
			User: &config.SSHUserPolicy{Allow: &config.SSHUserNames{Principals: []string{cnRule}, EmailAddresses: []string{emailRule}}},
			Host: &config.SSHHostPolicy{Deny: &config.SSHHostNames{DNSDomains: []string{dnsRule}, IPRanges: []string{ipRule}}},
		})
		if err == nil {
			checkShape(t, s.IsSSHCertificateAllowed(SSHUserCert, []string{name, email}))
			checkShape(t, s.IsSSHCertificateAllowed(SSHHostCert, []string{name, ipName, uri}))
		}
	})
}

func checkShape(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	npe, ok := err.(*NamePolicyError)
	if !ok {
		t.Fatalf("refusal %T is not a *NamePolicyError: %v", err, err)
	}
	if !strings.HasSuffix(err.Error(), " not allowed") || npe.Reason.String() == "" || npe.Detail() == "" {
		t.Fatalf("bad error: %q", err)
	}
}
