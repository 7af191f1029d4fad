package dnstest

import (
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/dns/dnsmessage"
)

// resolver sends every query of Go's own resolver to s, over the network
// it asks for, or always over TCP when forceTCP is set.
func resolver(s *Server, forceTCP bool) *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		if forceTCP {
			network = "tcp"
		}
		var d net.Dialer
		return d.DialContext(ctx, network, s.Addr())
	}}
}

func TestServer(t *testing.T) {
	s := Start(t)
	s.SetA("host.test", "192.0.2.1", "192.0.2.2")
	s.SetAAAA("host.test", "2001:db8::1")
	s.SetTXT("txt.test.", "one", strings.Repeat("x", 600))
	s.SetServFail("bad.test", true)
	for _, tcp := range []bool{false, true} {
		r := resolver(s, tcp)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()

		ips, err := r.LookupHost(ctx, "HOST.test.")
		slices.Sort(ips)
		if err != nil || !slices.Equal(ips, []string{"192.0.2.1", "192.0.2.2", "2001:db8::1"}) {
			t.Fatalf("tcp=%v host.test: %v %v", tcp, ips, err)
		}
		ips, err = r.LookupHost(ctx, "anything.test.")
		if err != nil || !slices.Equal(ips, []string{"127.0.0.1"}) {
			t.Fatalf("tcp=%v default A: %v %v", tcp, ips, err)
		}
		txt, err := r.LookupTXT(ctx, "txt.test.")
		slices.Sort(txt)
		if err != nil || len(txt) != 2 || txt[0] != "one" || txt[1] != strings.Repeat("x", 600) {
			t.Fatalf("tcp=%v TXT: %q %v", tcp, txt, err)
		}
		_, err = r.LookupHost(ctx, "bad.test.")
		var de *net.DNSError
		if !errors.As(err, &de) || de.IsNotFound {
			t.Fatalf("tcp=%v SERVFAIL: want a temporary error, got %v", tcp, err)
		}
	}
	if n := s.Queries("host.test", dnsmessage.TypeA); n != 2 {
		t.Fatalf("Queries(host.test, A) = %d, want 2", n)
	}
}

func TestServerNoDefaultA(t *testing.T) {
	s := Start(t)
	s.SetDefaultA("")
	s.SetTXT("txt.test", "v")
	r := resolver(s, false)
	ctx := context.Background()
	var de *net.DNSError
	if _, err := r.LookupHost(ctx, "none.test."); !errors.As(err, &de) || !de.IsNotFound {
		t.Fatalf("unknown name: want NXDOMAIN, got %v", err)
	}
	if _, err := r.LookupHost(ctx, "txt.test."); !errors.As(err, &de) || !de.IsNotFound {
		t.Fatalf("name without A: want not found, got %v", err)
	}
	s.ClearTXT("txt.test")
	if _, err := r.LookupTXT(ctx, "txt.test."); !errors.As(err, &de) || !de.IsNotFound {
		t.Fatalf("cleared TXT: want not found, got %v", err)
	}
}

func TestServerTruncation(t *testing.T) {
	s := Start(t)
	s.SetTruncateUDP(true)
	s.SetTXT("big.test", "v")
	txt, err := resolver(s, false).LookupTXT(context.Background(), "big.test.")
	if err != nil || len(txt) != 1 {
		t.Fatalf("Go's resolver should have retried over TCP: %q %v", txt, err)
	}
}

func TestServerCAA(t *testing.T) {
	s := Start(t)
	s.SetCAA("caa.test", CAA{Flags: 128, Tag: "issue", Value: "ca.test"})
	msg := query(t, "caa.test.", TypeCAA)
	resp := exchangeUDP(t, s.Addr(), msg)
	var p dnsmessage.Parser
	if _, err := p.Start(resp); err != nil {
		t.Fatal(err)
	}
	p.SkipAllQuestions()
	rr, err := p.Answer()
	if err != nil {
		t.Fatal(err)
	}
	got := rr.Body.(*dnsmessage.UnknownResource).Data
	if string(got) != "\x80\x05issueca.test" {
		t.Fatalf("CAA rdata = %q", got)
	}
	s.ClearCAA("caa.test")
}

func TestNewFixedAddressAndClose(t *testing.T) {
	// Another process may take the freed port before New does: try a few
	// fresh ports rather than fail (or skip) on that race.
	var s2 *Server
	var addr string
	for try := 0; s2 == nil; try++ {
		s1 := Start(t)
		addr = s1.Addr()
		s1.Close()
		var err error
		if s2, err = New(addr); err != nil && try == 4 {
			t.Fatalf("New(%s) after Close, five times: %v", addr, err)
		}
	}
	if s2.Addr() != addr {
		t.Fatalf("Addr = %s, want %s", s2.Addr(), addr)
	}
	if err := s2.Close(); err != nil {
		t.Fatal(err)
	}
	s2.Close() // idempotent
}

func query(t *testing.T, name string, typ dnsmessage.Type) []byte {
	t.Helper()
	b := dnsmessage.NewBuilder(nil, dnsmessage.Header{ID: 7, RecursionDesired: true})
	b.StartQuestions()
	b.Question(dnsmessage.Question{Name: dnsmessage.MustNewName(name), Type: typ, Class: dnsmessage.ClassINET})
	msg, err := b.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

func exchangeUDP(t *testing.T, addr string, msg []byte) []byte {
	t.Helper()
	c, err := net.Dial("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write(msg); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 65535)
	n, err := c.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	return buf[:n]
}
