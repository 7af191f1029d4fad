package certcmd

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"net"
	"net/url"
	"reflect"
	"testing"
)

// TestCertNamesURIs: only URIs with a URL scheme step accepts are names.
func TestCertNamesURIs(t *testing.T) {
	var uris []*url.URL
	for _, s := range []string{"https://a.example.com/x", "spiffe://example.com/y", "urn:foo:bar", "tcp://h.example.com:80", "ldap://l.example.com"} {
		u, err := url.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		uris = append(uris, u)
	}
	c := &x509.Certificate{Subject: pkix.Name{CommonName: "x.example.com"}, DNSNames: []string{"x.example.com"},
		URIs: uris, IPAddresses: []net.IP{net.ParseIP("10.0.0.1")}, EmailAddresses: []string{"a@example.com"}}
	want := []string{"x.example.com", "https://a.example.com/x", "tcp://h.example.com:80", "10.0.0.1"}
	if got := certNames(c); !reflect.DeepEqual(got, want) {
		t.Fatalf("certNames = %v, want %v", got, want)
	}
}
