package provisioner

import (
	"net"
	"net/url"
	"strings"
)

// legacyAudience is the audience old step clients put in sign and revoke
// tokens before audiences were URLs; step-ca still accepts it, so do we.
const legacyAudience = "step-certificate-authority"

// Audiences are the token audiences this CA accepts, per operation: for each
// of its DNS names, the endpoint URLs with and without the /1.0 prefix and
// without a port (reference §2.1). The zero value accepts nothing.
type Audiences struct {
	byOp map[Operation][]string
	// noPort holds, for each URL of byOp, withoutPort of it (and whether it
	// is an absolute URL), so that matching a token parses only the token's
	// audience: parsing every accepted URL per token was 2% of /sign's CPU.
	noPort map[string]portless
}

type portless struct {
	url string
	ok  bool
}

// opPaths lists, per operation, the endpoint paths (after "/1.0" or "/") an
// audience may name. Sign and SSHSign accept each other's paths because step
// clients have used both for either.
var opPaths = map[Operation][]string{
	OpSign:      {"sign", "ssh/sign"},
	OpRenew:     {"renew"},
	OpRevoke:    {"revoke"},
	OpSSHSign:   {"ssh/sign", "sign"},
	OpSSHRenew:  {"ssh/renew"},
	OpSSHRekey:  {"ssh/rekey"},
	OpSSHRevoke: {"ssh/revoke"},
}

// NewAudiences builds the audiences of a CA reachable under dnsNames. An IPv6
// address is bracketed; a name that carries a port keeps it out of the URL,
// since matching ignores ports anyway.
func NewAudiences(dnsNames []string) Audiences {
	a := Audiences{byOp: make(map[Operation][]string, len(opPaths)), noPort: map[string]portless{}}
	a.byOp[OpSign] = []string{legacyAudience}
	a.byOp[OpRevoke] = []string{legacyAudience}
	for _, name := range dnsNames {
		host := audienceHost(name)
		if host == "" {
			continue
		}
		for op, paths := range opPaths {
			for _, p := range paths {
				a.byOp[op] = append(a.byOp[op], "https://"+host+"/1.0/"+p, "https://"+host+"/"+p)
			}
		}
	}
	for _, list := range a.byOp {
		for _, want := range list {
			u, ok := withoutPort(want)
			a.noPort[want] = portless{u, ok}
		}
	}
	return a
}

// audienceHost normalises a dnsNames entry to a URL host without port.
func audienceHost(name string) string {
	name = strings.TrimSpace(name)
	if h, _, err := net.SplitHostPort(name); err == nil {
		name = h
	}
	name = strings.TrimSuffix(strings.TrimPrefix(name, "["), "]")
	if ip := net.ParseIP(name); ip != nil && ip.To4() == nil {
		return "[" + ip.String() + "]"
	}
	return name
}

// For returns the audiences accepted for op (a copy).
func (a Audiences) For(op Operation) []string {
	return append([]string(nil), a.byOp[op]...)
}

// Match reports whether aud is an audience of op. With a non-empty fragment
// (the token ID of a fragmented provisioner such as X5C, "x5c/<name>") the
// audience must end in "#<fragment>"; without one it must carry none. Two
// URLs that differ only in their port match: clients put the CA's port in
// aud, while dnsNames have none.
func (a Audiences) Match(op Operation, aud, fragment string) bool {
	got := lazyPortless{s: aud}
	for _, want := range a.byOp[op] {
		if fragment == "" {
			if a.equal(&got, want) {
				return true
			}
			continue
		}
		if audienceEqual(aud, want+"#"+fragment) {
			return true
		}
	}
	return false
}

// lazyPortless is withoutPort of s, computed on first use.
type lazyPortless struct {
	s    string
	done bool
	p    portless
}

func (l *lazyPortless) get() portless {
	if !l.done {
		l.p.url, l.p.ok = withoutPort(l.s)
		l.done = true
	}
	return l.p
}

// equal is audienceEqual(got.s, want) for a want of a.byOp, with want's
// port-less form taken from a.noPort.
func (a Audiences) equal(got *lazyPortless, want string) bool {
	if got.s == want {
		return true
	}
	w, known := a.noPort[want]
	if !known {
		return audienceEqual(got.s, want)
	}
	g := got.get()
	return g.ok && w.ok && g.url == w.url
}

// matchAny reports whether aud, with any fragment removed, is an audience of
// some operation, and returns the fragment. Lookup uses it to decide whether
// a token was meant for this CA before it knows the provisioner.
func (a Audiences) matchAny(aud string) (fragment string, ok bool) {
	base, fragment, _ := strings.Cut(aud, "#")
	got := lazyPortless{s: base}
	for _, list := range a.byOp {
		for _, want := range list {
			if a.equal(&got, want) {
				return fragment, true
			}
		}
	}
	return "", false
}

func audienceEqual(got, want string) bool {
	if got == want {
		return true
	}
	g, ok1 := withoutPort(got)
	w, ok2 := withoutPort(want)
	return ok1 && ok2 && g == w
}

// withoutPort returns an absolute URL with its port removed, and false for
// anything that is not an absolute URL with a host.
func withoutPort(s string) (string, bool) {
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "", false
	}
	host := u.Hostname()
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	u.Host = host
	return u.String(), true
}
