package dnstest

import (
	"net/netip"

	"golang.org/x/net/dns/dnsmessage"
)

// EncodeCAA is the RDATA of a CAA record (RFC 8659 §4.1): flags, tag length,
// tag, value.
func EncodeCAA(r CAA) []byte {
	out := []byte{r.Flags, byte(len(r.Tag))}
	out = append(out, r.Tag...)
	return append(out, r.Value...)
}

// answer builds the response to one query message; nil drops it (garbage in).
func (s *Server) answer(msg []byte, udp bool) []byte {
	var p dnsmessage.Parser
	h, err := p.Start(msg)
	if err != nil || h.Response {
		return nil
	}
	q, err := p.Question()
	if err != nil {
		return nil
	}
	name := fqdn(q.Name.String())
	resp := dnsmessage.Header{
		ID: h.ID, Response: true, Authoritative: true,
		RecursionDesired: h.RecursionDesired, RecursionAvailable: true,
	}
	s.mu.Lock()
	s.queries[queryKey(name, q.Type)]++
	servfail, trunc := s.servfail[name], s.truncUDP && udp
	records, exists := s.records(name, q.Type)
	s.mu.Unlock()

	switch {
	case servfail:
		resp.RCode = dnsmessage.RCodeServerFailure
		records = nil
	case trunc:
		resp.Truncated = true
		records = nil
	case !exists:
		resp.RCode = dnsmessage.RCodeNameError
	}
	out, err := build(resp, q, records)
	if err != nil {
		return nil
	}
	if udp && len(out) > maxUDP {
		resp.Truncated = true
		out, _ = build(resp, q, nil)
	}
	return out
}

// record is one answer: exactly one of the bodies is set.
type record struct {
	a     *dnsmessage.AResource
	aaaa  *dnsmessage.AAAAResource
	txt   *dnsmessage.TXTResource
	other *dnsmessage.UnknownResource
}

// records returns the answers for name and type, and whether the name exists
// at all (an unknown name is NXDOMAIN, a known one without that type NODATA).
// The caller holds s.mu.
func (s *Server) records(name string, t dnsmessage.Type) ([]record, bool) {
	_, hasA := s.a[name]
	_, hasAAAA := s.aaaa[name]
	_, hasTXT := s.txt[name]
	_, hasCAA := s.caa[name]
	exists := hasA || hasAAAA || hasTXT || hasCAA || s.defaultA.IsValid()
	var out []record
	switch t {
	case dnsmessage.TypeA:
		addrs, ok := s.a[name]
		if !ok && s.defaultA.IsValid() {
			addrs = []netip.Addr{s.defaultA}
		}
		for _, ip := range addrs {
			out = append(out, record{a: &dnsmessage.AResource{A: ip.As4()}})
		}
	case dnsmessage.TypeAAAA:
		for _, ip := range s.aaaa[name] {
			out = append(out, record{aaaa: &dnsmessage.AAAAResource{AAAA: ip.As16()}})
		}
	case dnsmessage.TypeTXT:
		for _, v := range s.txt[name] {
			out = append(out, record{txt: &dnsmessage.TXTResource{TXT: splitTXT(v)}})
		}
	case TypeCAA:
		for _, c := range s.caa[name] {
			out = append(out, record{other: &dnsmessage.UnknownResource{Type: TypeCAA, Data: EncodeCAA(c)}})
		}
	}
	return out, exists
}

// splitTXT cuts a value into the 255-byte character-strings a TXT record is
// made of; readers concatenate them again.
func splitTXT(v string) []string {
	parts := []string{}
	for len(v) > 255 {
		parts = append(parts, v[:255])
		v = v[255:]
	}
	return append(parts, v)
}

func build(h dnsmessage.Header, q dnsmessage.Question, records []record) ([]byte, error) {
	b := dnsmessage.NewBuilder(nil, h)
	if err := b.StartQuestions(); err != nil {
		return nil, err
	}
	if err := b.Question(q); err != nil {
		return nil, err
	}
	if err := b.StartAnswers(); err != nil {
		return nil, err
	}
	rh := dnsmessage.ResourceHeader{Name: q.Name, Type: q.Type, Class: dnsmessage.ClassINET, TTL: 60}
	for _, r := range records {
		var err error
		switch {
		case r.a != nil:
			err = b.AResource(rh, *r.a)
		case r.aaaa != nil:
			err = b.AAAAResource(rh, *r.aaaa)
		case r.txt != nil:
			err = b.TXTResource(rh, *r.txt)
		default:
			err = b.UnknownResource(rh, *r.other)
		}
		if err != nil {
			return nil, err
		}
	}
	return b.Finish()
}
