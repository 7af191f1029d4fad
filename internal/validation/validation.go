// Package validation is Stride's ACME validation authority: it performs the
// http-01 and dns-01 challenges of RFC 8555 §8.3–8.4, tls-alpn-01 (RFC 8737)
// for DNS and IP identifiers (RFC 8738), and the CAA check of RFC 8659.
//
// The Validator is stateless: the ACME core calls one method per attempt and
// maps the returned *Error onto the challenge (its Type becomes the problem
// type urn:ietf:params:acme:error:<Type>; Retryable tells it whether to leave
// the challenge pending for another attempt or to mark it invalid).
//
// Every DNS lookup (A/AAAA for http-01 and tls-alpn-01, TXT for dns-01, CAA)
// goes to Config.Resolver when it is set, so a CA can be pointed at the DNS
// server that holds its private zones (and tests at dnstest.Server). Names
// in /etc/hosts still resolve from there for A/AAAA, as Go's resolver reads
// that file first; TXT and CAA always come from the DNS server.
//
// Validation never connects to unspecified, multicast or link-local
// addresses (cloud metadata services live there); loopback and private
// addresses are allowed because a private CA validates private hosts.
//
// Error types chosen, by challenge:
//   - all: an invalid identifier or token → "malformed"; DNS lookup
//     failures (SERVFAIL, timeout, refused) → "dns", retryable; a name
//     without A/AAAA records → "dns", not retryable; connection
//     refused/reset/timeout → "connection", retryable; a forbidden address
//     → "connection", not retryable.
//   - http-01: a body other than the key authorization, or a non-200
//     status → "incorrectResponse" (5xx is retryable, other statuses are
//     not); redirects that break the rules (scheme other than http/https,
//     port other than HTTPPort/TLSPort, i.e. 80/443 by default, more than
//     10, IPv6 zone) → "connection", not retryable.
//   - tls-alpn-01: handshake failure or no acme-tls/1 → "tls", not
//     retryable; a certificate that does not prove the key authorization →
//     "incorrectResponse", not retryable.
//   - dns-01: no TXT record at _acme-challenge.<domain> → "unauthorized",
//     retryable (records may still be propagating, as boulder and pebble
//     users know it as "No TXT record found"); records present but none
//     matching → "incorrectResponse", not retryable.
//   - CAA: issuance forbidden, a malformed record or a critical unknown tag
//     → "caa", not retryable; CAA lookup failure → "dns", retryable
//     (RFC 8659 §3: a failure is not "no records"). Records carrying the
//     RFC 8657 accounturi or validationmethods parameters never authorize,
//     because the API does not pass the account or method to check.
package validation

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Config holds the knobs from ca.json and stride-ca's --resolver.
type Config struct {
	Resolver string        // "host:port" of the DNS server for every lookup; "" = system resolver
	HTTPPort int           // 0 = 80 (test-only override)
	TLSPort  int           // 0 = 443 (test-only override)
	Timeout  time.Duration // per attempt, 0 = 10s
}

// Validator performs challenge validations. It is safe for concurrent use.
type Validator struct {
	cfg      Config
	resolver *net.Resolver
	dialer   net.Dialer
}

// New returns a Validator for cfg, with defaults filled in.
func New(cfg Config) *Validator {
	if cfg.HTTPPort == 0 {
		cfg.HTTPPort = 80
	}
	if cfg.TLSPort == 0 {
		cfg.TLSPort = 443
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 10 * time.Second
	}
	v := &Validator{cfg: cfg, resolver: net.DefaultResolver}
	if cfg.Resolver != "" {
		// The pure-Go resolver lets every query (whatever nameserver
		// resolv.conf lists) be redirected to the configured server, over the
		// transport (udp, or tcp after truncation) the resolver asks for.
		server := cfg.Resolver
		v.resolver = &net.Resolver{
			PreferGo: true,
			Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
				var d net.Dialer
				return d.DialContext(ctx, network, server)
			},
		}
	}
	return v
}

// Error is every validation failure.
type Error struct {
	Type      string // ACME error type suffix: connection, dns, tls, incorrectResponse, caa, unauthorized, malformed
	Detail    string // for the ACME problem document; safe to show the client
	Retryable bool   // transient failure (the core may try again) rather than a definite wrong answer
}

func (e *Error) Error() string {
	return e.Type + ": " + e.Detail
}

func newError(typ string, retryable bool, format string, args ...any) *Error {
	return &Error{Type: typ, Detail: fmt.Sprintf(format, args...), Retryable: retryable}
}

// attempt bounds one validation attempt by the configured timeout.
func (v *Validator) attempt(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, v.cfg.Timeout)
}

// lookupHost resolves name to its addresses, IPv6 first (as RFC 8555 §8.3
// leaves open and boulder does: a dual-stack host is tried on v6 first).
func (v *Validator) lookupHost(ctx context.Context, name string) ([]netip.Addr, error) {
	// A trailing dot stops resolv.conf search domains from being appended.
	addrs, err := v.resolver.LookupNetIP(ctx, "ip", strings.TrimSuffix(name, ".")+".")
	if err != nil {
		return nil, dnsError(name, "A/AAAA", err)
	}
	var v6, v4 []netip.Addr
	for _, a := range addrs {
		if a.Unmap().Is4() {
			v4 = append(v4, a.Unmap())
		} else {
			v6 = append(v6, a)
		}
	}
	if len(v6)+len(v4) == 0 {
		return nil, newError("dns", false, "no valid A or AAAA records for %s", name)
	}
	return append(v6, v4...), nil
}

// dial connects to host:port, where host is an IP literal or a name resolved
// through the configured resolver; each address is tried in turn, each with
// a share of the remaining time so that an unreachable IPv6 address cannot
// use up the whole attempt before IPv4 is tried.
func (v *Validator) dial(ctx context.Context, host string, port int) (net.Conn, error) {
	// net/http dials with a context that carries no deadline of the request,
	// so the attempt's budget is restored here.
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, v.cfg.Timeout)
		defer cancel()
	}
	var addrs []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		if ip.Zone() != "" {
			return nil, newError("connection", false, "IPv6 zones are not allowed: %q", host)
		}
		addrs = []netip.Addr{ip.Unmap()}
	} else {
		addrs, err = v.lookupHost(ctx, host)
		if err != nil {
			return nil, err
		}
	}
	var last error
	for i, a := range addrs {
		if err := checkAddr(a); err != nil {
			last = err
			continue
		}
		dctx, cancel := shareOf(ctx, len(addrs)-i)
		conn, err := v.dialer.DialContext(dctx, "tcp", netip.AddrPortFrom(a, uint16(port)).String())
		cancel()
		if err == nil {
			return conn, nil
		}
		last = err
		if ctx.Err() != nil {
			break
		}
	}
	return nil, connError(host, port, last)
}

// shareOf bounds one of n remaining dial attempts to 1/n of the time left.
func shareOf(ctx context.Context, n int) (context.Context, context.CancelFunc) {
	dl, ok := ctx.Deadline()
	if !ok || n <= 1 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, time.Until(dl)/time.Duration(n))
}

// checkAddr refuses addresses no validation should reach: unspecified,
// multicast and link-local ones, the latter because they hold cloud
// metadata services (169.254.169.254) that a responder could redirect the
// CA to (RFC 8555 §10.4). Loopback and private ranges stay allowed: a
// private CA validates hosts on private networks.
func checkAddr(a netip.Addr) error {
	switch {
	case a.IsUnspecified(), a.IsMulticast(), a.IsLinkLocalUnicast(), a.IsLinkLocalMulticast():
		return newError("connection", false, "validation to the address %s is not allowed", a)
	}
	return nil
}

// connError classifies a dial or I/O failure; all are transient.
func connError(host string, port int, err error) *Error {
	var ve *Error
	if errors.As(err, &ve) {
		return ve
	}
	target := net.JoinHostPort(host, strconv.Itoa(port))
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return newError("connection", true, "timeout connecting to %s", target)
	case errors.Is(err, context.Canceled):
		return newError("connection", true, "validation of %s cancelled", target)
	}
	return newError("connection", true, "connection to %s failed: %s", target, errDetail(err))
}

// dnsError classifies a resolver failure for name's rtype records.
func dnsError(name, rtype string, err error) *Error {
	var de *net.DNSError
	if errors.As(err, &de) {
		switch {
		case de.IsNotFound:
			return newError("dns", false, "no valid %s records for %s", rtype, name)
		case de.IsTimeout:
			return newError("dns", true, "timeout looking up %s for %s", rtype, name)
		}
		return newError("dns", true, "DNS problem looking up %s for %s: %s", rtype, name, de.Err)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return newError("dns", true, "timeout looking up %s for %s", rtype, name)
	}
	return newError("dns", true, "DNS problem looking up %s for %s: %v", rtype, name, err)
}

// errDetail keeps the last, most specific part of a nested network error
// ("connect: connection refused") rather than echoing local addresses.
func errDetail(err error) string {
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		return oe.Op + ": " + oe.Err.Error()
	}
	return err.Error()
}

// quoted shows untrusted bytes from a challenge response safely: escaped and
// cut to a length that fits in a problem document.
func quoted(b []byte) string {
	const limit = 64
	if len(b) > limit {
		return strconv.Quote(string(b[:limit])) + "…"
	}
	return strconv.Quote(string(b))
}

// checkIdent rejects identifier types the challenge cannot handle and IP
// literals in dns identifiers, which a caller should have refused already.
func checkIdent(identType, value string) (netip.Addr, *Error) {
	switch identType {
	case "dns":
		// The name becomes part of a URL and an SNI: anything but an ASCII
		// (punycoded) host name is refused rather than escaped.
		if value == "" || len(value) > 253 || strings.Trim(value, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_") != "" {
			return netip.Addr{}, newError("malformed", false, "invalid dns identifier %q", value)
		}
		return netip.Addr{}, nil
	case "ip":
		ip, err := netip.ParseAddr(value)
		if err != nil || ip.Zone() != "" {
			return netip.Addr{}, newError("malformed", false, "invalid ip identifier %q", value)
		}
		return ip.Unmap(), nil
	}
	return netip.Addr{}, newError("malformed", false, "unsupported identifier type %q", identType)
}
