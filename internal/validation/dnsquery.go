package validation

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"

	"golang.org/x/net/dns/dnsmessage"
)

// typeCAA is the CAA RR type (RFC 8659), which net.Resolver cannot query;
// CAA lookups are therefore raw dnsmessage queries.
const typeCAA dnsmessage.Type = 257

// caaServer is the DNS server for raw queries: the configured resolver, or
// the first nameserver of /etc/resolv.conf.
func (v *Validator) caaServer() string {
	if v.cfg.Resolver != "" {
		return v.cfg.Resolver
	}
	if s := firstNameserver("/etc/resolv.conf"); s != "" {
		return s
	}
	return "127.0.0.1:53"
}

func firstNameserver(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "nameserver" {
			return net.JoinHostPort(fields[1], "53")
		}
	}
	return ""
}

// queryCAA returns the RDATA of the CAA records of name. NXDOMAIN and NODATA
// are an empty answer; any other failure is an *Error of type dns.
func (v *Validator) queryCAA(ctx context.Context, name string) ([][]byte, error) {
	q, id, err := buildQuery(name, typeCAA)
	if err != nil {
		return nil, newError("malformed", false, "invalid CAA name %q: %v", name, err)
	}
	server := v.caaServer()
	resp, err := v.exchange(ctx, "udp", server, q)
	if err == nil && isTruncated(resp) {
		// RFC 7766: a truncated UDP answer is retried over TCP.
		resp, err = v.exchange(ctx, "tcp", server, q)
	}
	if err != nil {
		return nil, dnsError(name, "CAA", err)
	}
	rdatas, err := parseCAAResponse(resp, id, name)
	if err != nil {
		var ve *Error
		if errors.As(err, &ve) {
			return nil, ve
		}
		return nil, newError("dns", true, "invalid DNS response for CAA of %s: %v", name, err)
	}
	return rdatas, nil
}

func buildQuery(name string, t dnsmessage.Type) ([]byte, uint16, error) {
	n, err := dnsmessage.NewName(strings.TrimSuffix(name, ".") + ".")
	if err != nil {
		return nil, 0, err
	}
	var idb [2]byte
	if _, err := rand.Read(idb[:]); err != nil {
		return nil, 0, err
	}
	id := binary.BigEndian.Uint16(idb[:])
	b := dnsmessage.NewBuilder(nil, dnsmessage.Header{ID: id, RecursionDesired: true})
	if err := b.StartQuestions(); err != nil {
		return nil, 0, err
	}
	if err := b.Question(dnsmessage.Question{Name: n, Type: t, Class: dnsmessage.ClassINET}); err != nil {
		return nil, 0, err
	}
	// EDNS0 with a 1232-byte payload avoids needless TCP fallbacks.
	if err := b.StartAdditionals(); err != nil {
		return nil, 0, err
	}
	var opt dnsmessage.ResourceHeader
	if err := opt.SetEDNS0(1232, dnsmessage.RCodeSuccess, false); err != nil {
		return nil, 0, err
	}
	if err := b.OPTResource(opt, dnsmessage.OPTResource{}); err != nil {
		return nil, 0, err
	}
	msg, err := b.Finish()
	return msg, id, err
}

// exchange sends one query and reads one answer over network ("udp" or
// "tcp"), bounded by ctx.
func (v *Validator) exchange(ctx context.Context, network, server string, q []byte) ([]byte, error) {
	conn, err := v.dialer.DialContext(ctx, network, server)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	if network == "udp" {
		if _, err := conn.Write(q); err != nil {
			return nil, err
		}
		buf := make([]byte, 65535)
		n, err := conn.Read(buf)
		if err != nil {
			return nil, ctxErr(ctx, err)
		}
		return buf[:n], nil
	}
	out := binary.BigEndian.AppendUint16(nil, uint16(len(q)))
	if _, err := conn.Write(append(out, q...)); err != nil {
		return nil, ctxErr(ctx, err)
	}
	var l [2]byte
	if _, err := io.ReadFull(conn, l[:]); err != nil {
		return nil, ctxErr(ctx, err)
	}
	resp := make([]byte, binary.BigEndian.Uint16(l[:]))
	if _, err := io.ReadFull(conn, resp); err != nil {
		return nil, ctxErr(ctx, err)
	}
	return resp, nil
}

// ctxErr prefers the context's reason over the "use of closed connection"
// that closing the socket on cancellation produces.
func ctxErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

func isTruncated(msg []byte) bool {
	var p dnsmessage.Parser
	h, err := p.Start(msg)
	return err == nil && h.Truncated
}

// parseCAAResponse checks the answer belongs to the query and extracts the
// CAA RDATA. Records are taken whatever their owner name, because a
// recursive resolver answers a CNAME'd name with the chain and the target's
// records (RFC 8659 §3 relies on that).
func parseCAAResponse(msg []byte, id uint16, name string) ([][]byte, error) {
	var p dnsmessage.Parser
	h, err := p.Start(msg)
	if err != nil {
		return nil, err
	}
	if !h.Response || h.ID != id {
		return nil, errors.New("answer does not match the query")
	}
	q, err := p.Question()
	if err != nil || q.Type != typeCAA || !strings.EqualFold(q.Name.String(), strings.TrimSuffix(name, ".")+".") {
		return nil, errors.New("answer is for another question")
	}
	if err := p.SkipAllQuestions(); err != nil {
		return nil, err
	}
	switch h.RCode {
	case dnsmessage.RCodeSuccess:
	case dnsmessage.RCodeNameError:
		return nil, nil
	default:
		return nil, newError("dns", true, "DNS problem: %s looking up CAA for %s", rcodeName(h.RCode), name)
	}
	var out [][]byte
	for {
		rh, err := p.AnswerHeader()
		if errors.Is(err, dnsmessage.ErrSectionDone) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if rh.Type != typeCAA {
			if err := p.SkipAnswer(); err != nil {
				return nil, err
			}
			continue
		}
		r, err := p.UnknownResource()
		if err != nil {
			return nil, err
		}
		out = append(out, r.Data)
	}
}

func rcodeName(r dnsmessage.RCode) string {
	switch r {
	case dnsmessage.RCodeServerFailure:
		return "SERVFAIL"
	case dnsmessage.RCodeRefused:
		return "REFUSED"
	}
	return fmt.Sprintf("RCODE %d", r)
}
