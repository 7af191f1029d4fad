package validation

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stride-pki/stride/internal/validation/dnstest"
	"golang.org/x/net/dns/dnsmessage"
)

func TestDNS01Value(t *testing.T) {
	// RFC 8555 §8.4 defines the value; this vector was computed independently
	// with `printf %s "$ka" | openssl dgst -sha256 -binary | basenc --base64url`.
	if got, want := DNS01Value("a.b"), "LnM23I66h-9HLfVow1SCq_JXXcPl6sDFxiuP-urCyTQ"; got != want {
		t.Fatalf("DNS01Value = %s, want %s", got, want)
	}
}

func TestDNS01(t *testing.T) {
	const domain = "example.test"
	const rr = "_acme-challenge.example.test"
	good := DNS01Value(testKeyAuth)
	tests := []struct {
		name       string
		domain     string
		setup      func(s *dnstest.Server)
		wantType   string
		wantRetry  bool
		wantDetail string
	}{
		{name: "match", setup: func(s *dnstest.Server) { s.SetTXT(rr, good) }},
		{name: "one of several matches", setup: func(s *dnstest.Server) { s.SetTXT(rr, "stale", good, "other") }},
		{name: "trailing dot in domain", domain: domain + ".", setup: func(s *dnstest.Server) { s.SetTXT(rr, good) }},
		{name: "mismatch", setup: func(s *dnstest.Server) { s.SetTXT(rr, "bm90IGl0", "x\"y") },
			wantType: "incorrectResponse", wantDetail: `found "bm90IGl0", "x\"y" (2 record(s))`},
		{name: "many long records, bounded detail", setup: func(s *dnstest.Server) {
			s.SetTXT(rr, strings.Repeat("a", 300), "b", "c", "d", "e")
		}, wantType: "incorrectResponse", wantDetail: "…, \"b\", \"c\", … (5 record(s))"},
		{name: "digest of another key authorization", setup: func(s *dnstest.Server) { s.SetTXT(rr, DNS01Value(testKeyAuth+"x")) },
			wantType: "incorrectResponse"},
		{name: "no record (NXDOMAIN)", wantType: "unauthorized", wantRetry: true, wantDetail: "no TXT record found at " + rr},
		{name: "no TXT record (NODATA)", setup: func(s *dnstest.Server) { s.SetA(rr, "192.0.2.1") },
			wantType: "unauthorized", wantRetry: true},
		{name: "record at the wrong name", setup: func(s *dnstest.Server) { s.SetTXT(domain, good) },
			wantType: "unauthorized", wantRetry: true},
		{name: "SERVFAIL", setup: func(s *dnstest.Server) { s.SetTXT(rr, good); s.SetServFail(rr, true) },
			wantType: "dns", wantRetry: true},
		{name: "answer over TCP after truncation", setup: func(s *dnstest.Server) { s.SetTXT(rr, good); s.SetTruncateUDP(true) }},
		{name: "wildcard not stripped", domain: "*.example.test", wantType: "malformed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := dnstest.Start(t)
			s.SetDefaultA("")
			if tc.setup != nil {
				tc.setup(s)
			}
			d := tc.domain
			if d == "" {
				d = domain
			}
			v := New(Config{Resolver: s.Addr(), Timeout: 5 * time.Second})
			err := v.DNS01(context.Background(), d, testKeyAuth)
			wantErr(t, err, tc.wantType, tc.wantRetry, tc.wantDetail)
		})
	}
}

func TestDNS01ResolverDown(t *testing.T) {
	s := dnstest.Start(t)
	addr := s.Addr()
	s.Close()
	v := New(Config{Resolver: addr, Timeout: 2 * time.Second})
	err := v.DNS01(context.Background(), "example.test", testKeyAuth)
	wantErr(t, err, "dns", true, "")
}

func TestDNS01QueriesFQDN(t *testing.T) {
	s := dnstest.Start(t)
	s.SetTXT("_acme-challenge.example.test", DNS01Value(testKeyAuth))
	v := New(Config{Resolver: s.Addr(), Timeout: 5 * time.Second})
	if err := v.DNS01(context.Background(), "Example.Test", testKeyAuth); err != nil {
		t.Fatal(err)
	}
	if n := s.Queries("_acme-challenge.example.test", dnsmessage.TypeTXT); n == 0 {
		t.Fatal("no TXT query for _acme-challenge.example.test")
	}
}
