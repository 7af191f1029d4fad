package validation

import (
	"strings"
	"testing"

	"github.com/stride-pki/stride/internal/validation/dnstest"
	"golang.org/x/net/dns/dnsmessage"
)

// FuzzParseCAA feeds CAA RDATA, which comes from any DNS zone, through the
// parser and the policy; a parsed record must round-trip to the same bytes.
func FuzzParseCAA(f *testing.F) {
	for _, r := range []dnstest.CAA{
		{Tag: "issue", Value: "ca.test"},
		{Tag: "issue", Value: ";"},
		{Tag: "issuewild", Value: "ca.test; accounturi=https://ca.test/acct/1"},
		{Flags: 128, Tag: "tbs", Value: "\x00\xff"},
		{Tag: "iodef", Value: "mailto:a@b.test"},
	} {
		f.Add(dnstest.EncodeCAA(r))
	}
	f.Add([]byte{})
	f.Add([]byte{0, 255})
	f.Fuzz(func(t *testing.T, rdata []byte) {
		r, err := ParseCAA(rdata)
		if err != nil {
			return
		}
		back := dnstest.EncodeCAA(dnstest.CAA{Flags: r.Flags, Tag: r.Tag, Value: r.Value})
		if string(back) != string(rdata) {
			t.Fatalf("round trip: %x != %x", back, rdata)
		}
		for _, wild := range []bool{false, true} {
			err := evaluateCAA("example.test", []CAARecord{r}, wild, []string{"ca.test"}, CAAAccount{URI: "https://ca.test/acct/1", Method: "dns-01"})
			if err != nil && !strings.HasPrefix(err.Error(), "caa: ") {
				t.Fatalf("unexpected error type: %v", err)
			}
		}
	})
}

// FuzzCAAResponse feeds whole DNS answers, as a resolver (or an attacker
// spoofing one) could send, to the response parser.
func FuzzCAAResponse(f *testing.F) {
	q, id, err := buildQuery("example.test", typeCAA)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(q, id)
	s := dnstest.Start(f)
	s.SetCAA("example.test", dnstest.CAA{Tag: "issue", Value: "ca.test"}, dnstest.CAA{Flags: 128, Tag: "x", Value: "y"})
	v := New(Config{Resolver: s.Addr()})
	if resp, err := v.exchange(f.Context(), "udp", s.Addr(), q); err == nil {
		f.Add(resp, id)
	}
	f.Fuzz(func(t *testing.T, msg []byte, id uint16) {
		rdatas, err := parseCAAResponse(msg, id, "example.test")
		if err != nil {
			return
		}
		for _, rd := range rdatas {
			ParseCAA(rd)
		}
		var p dnsmessage.Parser
		if _, err := p.Start(msg); err != nil {
			t.Fatalf("parsed a message dnsmessage rejects: %v", err)
		}
	})
}
