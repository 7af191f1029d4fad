package e2e

// The DNS side of the ACME scenarios: a test DNS server that the CA gets as
// --resolver (every A query answers 127.0.0.1, AAAA nothing, TXT what the
// clients' hooks set), and an HTTP endpoint on 127.0.0.1 through which the
// hook scripts of certbot and lego set and clear TXT records.
//
// The server is internal/validation/dnstest's API (New, Addr, SetTXT,
// ClearTXT, Close); until that package is merged here, miniDNS below plays
// its part with the same methods.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
)

// dnsServer is the part of dnstest.Server the scenarios use.
type dnsServer interface {
	Addr() string
	SetTXT(name string, values ...string)
	ClearTXT(name string)
	Close() error
}

// startTestDNS serves DNS on a free 127.0.0.1 port (UDP and TCP) until the
// test ends.
func startTestDNS(t *testing.T) dnsServer {
	t.Helper()
	s, err := newMiniDNS("127.0.0.1:0")
	if err != nil {
		t.Fatalf("test DNS server: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// txtHook is the HTTP endpoint behind the clients' DNS hook scripts:
// POST /set name=…&value=… adds a value to the name's TXT set (certbot and
// lego present the wildcard's and the apex's values on one name), POST
// /clear name=… drops them. With wrong set, the stored value is corrupted,
// as a broken hook would.
type txtHook struct {
	dns   dnsServer
	URL   string
	mu    sync.Mutex
	vals  map[string][]string
	wrong bool
	calls []string // "set NAME" / "clear NAME", in order
}

func startTXTHook(t *testing.T, dns dnsServer) *txtHook {
	t.Helper()
	h := &txtHook{dns: dns, vals: map[string][]string{}}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h.URL = "http://" + l.Addr().String()
	srv := &http.Server{Handler: h}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return h
}

func (h *txtHook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.ParseForm() != nil {
		http.Error(w, "POST a form", http.StatusBadRequest)
		return
	}
	name := strings.ToLower(strings.TrimSuffix(r.PostForm.Get("name"), "."))
	if name == "" {
		http.Error(w, "no name", http.StatusBadRequest)
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	switch r.URL.Path {
	case "/set":
		v := r.PostForm.Get("value")
		if h.wrong {
			v = "wrong" + v[min(5, len(v)):]
		}
		h.vals[name] = append(h.vals[name], v)
		h.dns.SetTXT(name, h.vals[name]...)
	case "/clear":
		delete(h.vals, name)
		h.dns.ClearTXT(name)
	default:
		http.NotFound(w, r)
		return
	}
	h.calls = append(h.calls, strings.TrimPrefix(r.URL.Path, "/")+" "+name)
}

// setWrong makes later /set calls store a corrupted value.
func (h *txtHook) setWrong(v bool) { h.mu.Lock(); h.wrong = v; h.mu.Unlock() }

// callLog is what the hooks asked for so far.
func (h *txtHook) callLog() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.calls...)
}

// certbotHooks writes certbot's --manual-auth-hook and --manual-cleanup-hook
// scripts (certbot passes CERTBOT_DOMAIN and CERTBOT_VALIDATION).
func (h *txtHook) certbotHooks(e *env) (auth, cleanup string) {
	auth = e.write("certbot-auth.sh", fmt.Sprintf(`#!/bin/sh
exec curl -fsS --data-urlencode "name=_acme-challenge.$CERTBOT_DOMAIN" --data-urlencode "value=$CERTBOT_VALIDATION" %s/set
`, h.URL))
	cleanup = e.write("certbot-cleanup.sh", fmt.Sprintf(`#!/bin/sh
exec curl -fsS --data-urlencode "name=_acme-challenge.$CERTBOT_DOMAIN" %s/clear
`, h.URL))
	chmodX(e.t, auth, cleanup)
	return auth, cleanup
}

// legoHook writes the script for lego's exec DNS provider, which it calls as
// `HOOK present|cleanup FQDN VALUE`.
func (h *txtHook) legoHook(e *env) string {
	p := e.write("lego-exec.sh", fmt.Sprintf(`#!/bin/sh
case "$1" in
present) exec curl -fsS --data-urlencode "name=$2" --data-urlencode "value=$3" %[1]s/set ;;
cleanup) exec curl -fsS --data-urlencode "name=$2" %[1]s/clear ;;
*) echo "unknown action $1" >&2; exit 2 ;;
esac
`, h.URL))
	chmodX(e.t, p)
	return p
}

func chmodX(t *testing.T, paths ...string) {
	t.Helper()
	for _, p := range paths {
		if err := os.Chmod(p, 0o700); err != nil {
			t.Fatal(err)
		}
	}
}

// miniDNS is a stand-in for dnstest.Server: A → 127.0.0.1 for every name, TXT
// from SetTXT, every other type an empty NOERROR answer.
type miniDNS struct {
	udp  net.PacketConn
	tcp  net.Listener
	mu   sync.Mutex
	txt  map[string][]string
	done chan struct{}
}

func newMiniDNS(addr string) (*miniDNS, error) {
	pc, err := net.ListenPacket("udp", addr)
	if err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", pc.LocalAddr().String())
	if err != nil {
		pc.Close()
		return nil, err
	}
	s := &miniDNS{udp: pc, tcp: l, txt: map[string][]string{}, done: make(chan struct{})}
	go s.serveUDP()
	go s.serveTCP()
	return s, nil
}

func (s *miniDNS) Addr() string { return s.udp.LocalAddr().String() }

func (s *miniDNS) SetTXT(name string, values ...string) {
	s.mu.Lock()
	s.txt[dnsKey(name)] = append([]string(nil), values...)
	s.mu.Unlock()
}

func (s *miniDNS) ClearTXT(name string) {
	s.mu.Lock()
	delete(s.txt, dnsKey(name))
	s.mu.Unlock()
}

func (s *miniDNS) Close() error {
	select {
	case <-s.done:
		return nil
	default:
	}
	close(s.done)
	return errors.Join(s.udp.Close(), s.tcp.Close())
}

func dnsKey(name string) string { return strings.ToLower(strings.TrimSuffix(name, ".")) }

func (s *miniDNS) serveUDP() {
	buf := make([]byte, 4096)
	for {
		n, from, err := s.udp.ReadFrom(buf)
		if err != nil {
			return
		}
		if resp := s.answer(buf[:n]); resp != nil {
			s.udp.WriteTo(resp, from)
		}
	}
}

func (s *miniDNS) serveTCP() {
	for {
		c, err := s.tcp.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			for {
				var l [2]byte
				if _, err := io.ReadFull(c, l[:]); err != nil {
					return
				}
				q := make([]byte, binary.BigEndian.Uint16(l[:]))
				if _, err := io.ReadFull(c, q); err != nil {
					return
				}
				resp := s.answer(q)
				if resp == nil {
					return
				}
				c.Write(append(binary.BigEndian.AppendUint16(nil, uint16(len(resp))), resp...))
			}
		}()
	}
}

// answer builds the response to one query message (nil: not a query we parse).
func (s *miniDNS) answer(q []byte) []byte {
	if len(q) < 12 || q[2]&0x80 != 0 || binary.BigEndian.Uint16(q[4:]) != 1 {
		return nil
	}
	var labels []string
	i := 12
	for {
		if i >= len(q) {
			return nil
		}
		n := int(q[i])
		i++
		if n == 0 {
			break
		}
		if n > 63 || i+n > len(q) {
			return nil
		}
		labels = append(labels, string(q[i:i+n]))
		i += n
	}
	if i+4 > len(q) {
		return nil
	}
	qtype := binary.BigEndian.Uint16(q[i:])
	question := q[12 : i+4]
	var rrs [][]byte // rdata
	switch qtype {
	case 1: // A
		rrs = append(rrs, []byte{127, 0, 0, 1})
	case 16: // TXT
		s.mu.Lock()
		vals := s.txt[dnsKey(strings.Join(labels, "."))]
		s.mu.Unlock()
		for _, v := range vals {
			var rd []byte
			for len(v) > 255 {
				rd, v = append(append(rd, 255), v[:255]...), v[255:]
			}
			rrs = append(rrs, append(append(rd, byte(len(v))), v...))
		}
	}
	resp := make([]byte, 12, 512)
	copy(resp, q[:2])
	resp[2] = 0x84 | q[2]&0x01 // QR, AA, RD echoed
	resp[3] = 0x80             // RA, NOERROR
	binary.BigEndian.PutUint16(resp[4:], 1)
	binary.BigEndian.PutUint16(resp[6:], uint16(len(rrs)))
	resp = append(resp, question...)
	for _, rd := range rrs {
		resp = append(resp, 0xc0, 12) // the question's name
		resp = binary.BigEndian.AppendUint16(resp, qtype)
		resp = binary.BigEndian.AppendUint16(resp, 1) // IN
		resp = binary.BigEndian.AppendUint32(resp, 0) // TTL
		resp = binary.BigEndian.AppendUint16(resp, uint16(len(rd)))
		resp = append(resp, rd...)
	}
	return resp
}
