// Package dnstest is a small in-process DNS server for tests: it answers A,
// AAAA, TXT and CAA questions from tables the test fills in, over real UDP
// and TCP sockets, so code under test exercises its real resolver path
// (net.Resolver with a custom Dial, or raw dnsmessage queries) instead of a
// fake interface. It is exported so end-to-end tests can point a whole
// stride-ca process at it (stride-ca --resolver <Addr()>).
//
// Every name is answered authoritatively with recursion available, because
// Go's resolver treats a non-authoritative, non-recursive empty answer as a
// lame referral. By default every A question is answered with 127.0.0.1 and
// no AAAA, so that challenge servers on loopback are reachable under any
// name; SetDefaultA changes or disables that.
package dnstest

import (
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"

	"golang.org/x/net/dns/dnsmessage"
)

// TypeCAA is the CAA record type (RFC 8659), which dnsmessage does not name.
const TypeCAA dnsmessage.Type = 257

// maxUDP is the largest UDP answer sent before setting TC: the EDNS size Go's
// resolver advertises, and the common "DNS flag day 2020" value.
const maxUDP = 1232

// CAA is one CAA resource record.
type CAA struct {
	Flags uint8
	Tag   string
	Value string
}

// Server is a running DNS server. All methods are safe for concurrent use.
type Server struct {
	udp net.PacketConn
	tcp net.Listener
	wg  sync.WaitGroup

	mu        sync.Mutex
	a, aaaa   map[string][]netip.Addr
	txt       map[string][]string
	caa       map[string][]CAA
	servfail  map[string]bool
	defaultA  netip.Addr
	truncUDP  bool
	queries   map[string]int
	closeOnce sync.Once
}

// New starts a server listening on addr (UDP and TCP on the same port; use
// "127.0.0.1:0" for a free one).
func New(addr string) (*Server, error) {
	udp, tcp, err := listen(addr)
	if err != nil {
		return nil, err
	}
	s := &Server{
		udp:      udp,
		tcp:      tcp,
		a:        map[string][]netip.Addr{},
		aaaa:     map[string][]netip.Addr{},
		txt:      map[string][]string{},
		caa:      map[string][]CAA{},
		servfail: map[string]bool{},
		queries:  map[string]int{},
		defaultA: netip.MustParseAddr("127.0.0.1"),
	}
	s.wg.Add(2)
	go s.serveUDP()
	go s.serveTCP()
	return s, nil
}

// listen opens UDP and TCP on the same port. With port 0 the free UDP port
// may be taken for TCP, so a few fresh ports are tried.
func listen(addr string) (net.PacketConn, net.Listener, error) {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, nil, err
	}
	tries := 1
	if port == "0" {
		tries = 20
	}
	for i := 0; ; i++ {
		udp, err := net.ListenPacket("udp", addr)
		if err != nil {
			return nil, nil, err
		}
		tcp, err := net.Listen("tcp", udp.LocalAddr().String())
		if err == nil {
			return udp, tcp, nil
		}
		udp.Close()
		if i+1 >= tries {
			return nil, nil, err
		}
	}
}

// Start starts a server on 127.0.0.1:0 and closes it when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s, err := New("127.0.0.1:0")
	if err != nil {
		t.Fatalf("dnstest: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Addr is the "host:port" to use as a resolver address.
func (s *Server) Addr() string { return s.udp.LocalAddr().String() }

// Close stops the server and waits for its goroutines.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.udp.Close()
		s.tcp.Close()
	})
	s.wg.Wait()
	return nil
}

// fqdn is the map key for a name: lower case with a trailing dot, because DNS
// names compare case-insensitively and callers mix both spellings.
func fqdn(name string) string {
	name = strings.ToLower(name)
	if !strings.HasSuffix(name, ".") {
		name += "."
	}
	return name
}

func parseAddrs(ips []string) []netip.Addr {
	out := make([]netip.Addr, 0, len(ips))
	for _, ip := range ips {
		out = append(out, netip.MustParseAddr(ip))
	}
	return out
}

// SetA sets the A answers for name (none = an empty answer, overriding the
// default). It panics on an invalid address: it is a test helper.
func (s *Server) SetA(name string, ips ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.a[fqdn(name)] = parseAddrs(ips)
}

// SetAAAA sets the AAAA answers for name.
func (s *Server) SetAAAA(name string, ips ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.aaaa[fqdn(name)] = parseAddrs(ips)
}

// SetDefaultA sets the answer to A questions for names without SetA; ""
// disables the default, so such names have no A record.
func (s *Server) SetDefaultA(ip string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.defaultA = netip.Addr{}
	if ip != "" {
		s.defaultA = netip.MustParseAddr(ip)
	}
}

// SetTXT replaces the TXT records of name; each value is one record.
func (s *Server) SetTXT(name string, values ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.txt[fqdn(name)] = append([]string(nil), values...)
}

// ClearTXT removes the TXT records of name.
func (s *Server) ClearTXT(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.txt, fqdn(name))
}

// SetCAA replaces the CAA records of name.
func (s *Server) SetCAA(name string, records ...CAA) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.caa[fqdn(name)] = append([]CAA(nil), records...)
}

// ClearCAA removes the CAA records of name.
func (s *Server) ClearCAA(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.caa, fqdn(name))
}

// SetServFail makes every question about name answer SERVFAIL (or stop).
func (s *Server) SetServFail(name string, on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.servfail[fqdn(name)] = on
}

// SetTruncateUDP makes every UDP answer truncated (TC set, no records), to
// force clients onto TCP.
func (s *Server) SetTruncateUDP(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.truncUDP = on
}

// Queries counts the questions received for name and type so far.
func (s *Server) Queries(name string, qtype dnsmessage.Type) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queries[queryKey(fqdn(name), qtype)]
}

func queryKey(name string, t dnsmessage.Type) string {
	return name + "/" + t.String()
}

func (s *Server) serveUDP() {
	defer s.wg.Done()
	buf := make([]byte, 65535)
	for {
		n, from, err := s.udp.ReadFrom(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		if resp := s.answer(buf[:n], true); resp != nil {
			s.udp.WriteTo(resp, from)
		}
	}
}

func (s *Server) serveTCP() {
	defer s.wg.Done()
	for {
		c, err := s.tcp.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		s.wg.Add(1)
		go s.serveConn(c)
	}
}

// serveConn answers length-prefixed messages (RFC 1035 §4.2.2) until the
// client closes the connection.
func (s *Server) serveConn(c net.Conn) {
	defer s.wg.Done()
	defer c.Close()
	for {
		var l [2]byte
		if _, err := io.ReadFull(c, l[:]); err != nil {
			return
		}
		msg := make([]byte, binary.BigEndian.Uint16(l[:]))
		if _, err := io.ReadFull(c, msg); err != nil {
			return
		}
		resp := s.answer(msg, false)
		if resp == nil {
			return
		}
		out := binary.BigEndian.AppendUint16(nil, uint16(len(resp)))
		if _, err := c.Write(append(out, resp...)); err != nil {
			return
		}
	}
}
