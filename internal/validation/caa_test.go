package validation

import (
	"context"
	"testing"
	"time"

	"github.com/stride-pki/stride/internal/validation/dnstest"
)

func issue(v string) dnstest.CAA     { return dnstest.CAA{Tag: "issue", Value: v} }
func issuewild(v string) dnstest.CAA { return dnstest.CAA{Tag: "issuewild", Value: v} }

const caaIssuer = "ca.stride.test"

var testAcct = CAAAccount{URI: "https://ca/acct/1", Method: "dns-01"}

// caaTest is one CAA case: records per owner name, and the verdict for
// www.example.test (or domain).
type caaTest struct {
	name       string
	domain     string
	wildcard   bool
	acct       CAAAccount // RFC 8657 context; empty = plain CAA()
	issuers    []string
	records    map[string][]dnstest.CAA
	servfail   string
	truncate   bool
	wantType   string
	wantRetry  bool
	wantDetail string
}

var caaTests = []caaTest{
	{name: "no CAA anywhere"},
	{name: "no CAA, no issuer domains configured", issuers: []string{}},
	{name: "issue allows us", records: map[string][]dnstest.CAA{"www.example.test": {issue(caaIssuer)}}},
	{name: "issue allows us among others", records: map[string][]dnstest.CAA{
		"www.example.test": {issue("other.test"), issue(caaIssuer + "; somekey=x")}}},
	{name: "case-insensitive issuer and tag", records: map[string][]dnstest.CAA{
		"www.example.test": {{Tag: "ISSUE", Value: "CA.Stride.Test"}}}},
	{name: "second configured issuer domain", issuers: []string{"x.test", caaIssuer}, records: map[string][]dnstest.CAA{
		"www.example.test": {issue(caaIssuer)}}},
	{name: "issue for another CA", records: map[string][]dnstest.CAA{"www.example.test": {issue("other.test")}},
		wantType: "caa", wantDetail: "issue records at www.example.test"},
	{name: "semicolon forbids everyone", records: map[string][]dnstest.CAA{"www.example.test": {issue(";")}},
		wantType: "caa"},
	{name: "empty value forbids everyone", records: map[string][]dnstest.CAA{"www.example.test": {issue("")}},
		wantType: "caa"},
	{name: "malformed issuer domain authorizes no one", records: map[string][]dnstest.CAA{
		"www.example.test": {issue("ca.stride.test/x")}}, wantType: "caa"},
	{name: "no configured issuer, issue present", issuers: []string{}, records: map[string][]dnstest.CAA{
		"www.example.test": {issue(caaIssuer)}}, wantType: "caa"},
	{name: "accounturi restricts", records: map[string][]dnstest.CAA{
		"www.example.test": {issue(caaIssuer + "; accounturi=https://ca/acct/1")}}, wantType: "caa"},
	{name: "validationmethods restricts", records: map[string][]dnstest.CAA{
		"www.example.test": {issue(caaIssuer + ";validationmethods=dns-01")}}, wantType: "caa"},
	{name: "accounturi matches", acct: testAcct, records: map[string][]dnstest.CAA{
		"www.example.test": {issue(caaIssuer + "; accounturi=https://ca/acct/1")}}},
	{name: "accounturi of another account", acct: testAcct, records: map[string][]dnstest.CAA{
		"www.example.test": {issue(caaIssuer + "; accounturi=https://ca/acct/2")}}, wantType: "caa"},
	{name: "accounturi twice is ambiguous", acct: testAcct, records: map[string][]dnstest.CAA{
		"www.example.test": {issue(caaIssuer + "; accounturi=https://ca/acct/1; accounturi=https://ca/acct/1")}}, wantType: "caa"},
	{name: "validationmethods includes ours", acct: testAcct, records: map[string][]dnstest.CAA{
		"www.example.test": {issue(caaIssuer + "; validationmethods=http-01,dns-01")}}},
	{name: "validationmethods excludes ours", acct: testAcct, records: map[string][]dnstest.CAA{
		"www.example.test": {issue(caaIssuer + "; validationmethods=http-01")}}, wantType: "caa"},
	{name: "both parameters met", acct: testAcct, records: map[string][]dnstest.CAA{
		"www.example.test": {issue(caaIssuer + "; accounturi=https://ca/acct/1 ; validationmethods=dns-01")}}},
	{name: "malformed parameter authorizes no one", acct: testAcct, records: map[string][]dnstest.CAA{
		"www.example.test": {issue(caaIssuer + "; novalue")}}, wantType: "caa"},
	{name: "unknown parameter does not restrict", acct: testAcct, records: map[string][]dnstest.CAA{
		"www.example.test": {issue(caaIssuer + "; policy=ev")}}},
	{name: "tree climbing to the parent", records: map[string][]dnstest.CAA{"example.test": {issue("other.test")}},
		wantType: "caa", wantDetail: "at example.test"},
	{name: "tree climbing to the TLD", records: map[string][]dnstest.CAA{"test": {issue(caaIssuer)}}},
	{name: "closest RRset wins", records: map[string][]dnstest.CAA{
		"www.example.test": {issue(caaIssuer)}, "example.test": {issue(";")}}},
	{name: "closest RRset forbids", records: map[string][]dnstest.CAA{
		"www.example.test": {issue(";")}, "example.test": {issue(caaIssuer)}}, wantType: "caa"},
	{name: "iodef only allows", records: map[string][]dnstest.CAA{
		"www.example.test": {{Tag: "iodef", Value: "mailto:x@example.test"}}}},
	{name: "iodef only stops climbing", records: map[string][]dnstest.CAA{
		"www.example.test": {{Tag: "iodef", Value: "mailto:x@example.test"}}, "example.test": {issue(";")}}},
	{name: "issuewild ignored without wildcard", records: map[string][]dnstest.CAA{
		"www.example.test": {issuewild(";"), issue(caaIssuer)}}},
	{name: "issuewild only, no wildcard: unrestricted", records: map[string][]dnstest.CAA{
		"www.example.test": {issuewild("other.test")}}},
	{name: "wildcard: issuewild allows although issue forbids", wildcard: true, records: map[string][]dnstest.CAA{
		"www.example.test": {issue(";"), issuewild(caaIssuer)}}},
	{name: "wildcard: issuewild forbids although issue allows", wildcard: true, records: map[string][]dnstest.CAA{
		"www.example.test": {issue(caaIssuer), issuewild(";")}}, wantType: "caa", wantDetail: "issuewild"},
	{name: "wildcard: issue applies without issuewild", wildcard: true, records: map[string][]dnstest.CAA{
		"www.example.test": {issue(caaIssuer)}}},
	{name: "wildcard: issue forbids without issuewild", wildcard: true, records: map[string][]dnstest.CAA{
		"www.example.test": {issue("other.test")}}, wantType: "caa"},
	{name: "wildcard prefix in domain tolerated", domain: "*.www.example.test", wildcard: true,
		records: map[string][]dnstest.CAA{"www.example.test": {issuewild(";")}}, wantType: "caa"},
	{name: "critical unknown tag (flag 128)", records: map[string][]dnstest.CAA{
		"www.example.test": {issue(caaIssuer), {Flags: 128, Tag: "tbs", Value: "x"}}}, wantType: "caa", wantDetail: `"tbs"`},
	{name: "critical unknown tag (flag 1)", records: map[string][]dnstest.CAA{
		"www.example.test": {issue(caaIssuer), {Flags: 1, Tag: "tbs", Value: "x"}}}, wantType: "caa"},
	{name: "noncritical unknown tag ignored", records: map[string][]dnstest.CAA{
		"www.example.test": {issue(caaIssuer), {Tag: "tbs", Value: "x"}}}},
	{name: "critical known tag is fine", records: map[string][]dnstest.CAA{
		"www.example.test": {{Flags: 128, Tag: "issue", Value: caaIssuer}}}},
	{name: "SERVFAIL is not 'no records'", servfail: "example.test", records: map[string][]dnstest.CAA{
		"test": {issue(caaIssuer)}}, wantType: "dns", wantRetry: true, wantDetail: "SERVFAIL"},
	{name: "TCP after truncation", truncate: true, records: map[string][]dnstest.CAA{
		"www.example.test": {issue("other.test")}}, wantType: "caa"},
}

func TestCAA(t *testing.T) {
	for _, tc := range caaTests {
		t.Run(tc.name, func(t *testing.T) {
			s := dnstest.Start(t)
			for name, rrs := range tc.records {
				s.SetCAA(name, rrs...)
			}
			if tc.servfail != "" {
				s.SetServFail(tc.servfail, true)
			}
			s.SetTruncateUDP(tc.truncate)
			issuers := tc.issuers
			if issuers == nil {
				issuers = []string{caaIssuer}
			}
			domain := tc.domain
			if domain == "" {
				domain = "www.example.test"
			}
			v := New(Config{Resolver: s.Addr(), Timeout: 5 * time.Second})
			var err error
			if tc.acct == (CAAAccount{}) {
				err = v.CAA(context.Background(), domain, tc.wildcard, issuers)
			} else {
				err = v.CAAForAccount(context.Background(), domain, tc.wildcard, issuers, tc.acct)
			}
			wantErr(t, err, tc.wantType, tc.wantRetry, tc.wantDetail)
		})
	}
}

func TestCAAQueriesEveryLevelOnce(t *testing.T) {
	s := dnstest.Start(t)
	v := New(Config{Resolver: s.Addr(), Timeout: 5 * time.Second})
	if err := v.CAA(context.Background(), "a.b.example.test", false, []string{"ca.test"}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"a.b.example.test", "b.example.test", "example.test", "test"} {
		if n := s.Queries(name, dnstest.TypeCAA); n != 1 {
			t.Errorf("%s: %d CAA queries, want 1", name, n)
		}
	}
}

func TestCAAResolverDown(t *testing.T) {
	s := dnstest.Start(t)
	addr := s.Addr()
	s.Close()
	v := New(Config{Resolver: addr, Timeout: 500 * time.Millisecond})
	err := v.CAA(context.Background(), "example.test", false, []string{"ca.test"})
	wantErr(t, err, "dns", true, "")
}

func TestParseCAA(t *testing.T) {
	tests := []struct {
		name    string
		rdata   []byte
		want    CAARecord
		wantErr bool
	}{
		{name: "issue", rdata: dnstest.EncodeCAA(dnstest.CAA{Tag: "issue", Value: "ca.test"}),
			want: CAARecord{Tag: "issue", Value: "ca.test"}},
		{name: "critical, empty value", rdata: []byte{128, 3, 't', 'b', 's'}, want: CAARecord{Flags: 128, Tag: "tbs"}},
		{name: "empty", rdata: nil, wantErr: true},
		{name: "one byte", rdata: []byte{0}, wantErr: true},
		{name: "zero tag length", rdata: []byte{0, 0, 'x'}, wantErr: true},
		{name: "tag longer than 15", rdata: append([]byte{0, 16}, "abcdefghijklmnop"...), wantErr: true},
		{name: "tag past the end", rdata: []byte{0, 5, 'a'}, wantErr: true},
		{name: "non-alphanumeric tag", rdata: []byte{0, 2, 'a', '-'}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseCAA(tc.rdata)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			if err == nil && got != tc.want {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestMalformedCAARecordRefuses(t *testing.T) {
	// dnstest encodes whatever it is given, so a bad tag reaches the parser.
	s := dnstest.Start(t)
	s.SetCAA("example.test", dnstest.CAA{Tag: "is-sue", Value: "ca.test"})
	v := New(Config{Resolver: s.Addr(), Timeout: 5 * time.Second})
	err := v.CAA(context.Background(), "example.test", false, []string{"ca.test"})
	wantErr(t, err, "caa", false, "malformed CAA record")
}
