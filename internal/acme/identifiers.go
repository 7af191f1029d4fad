package acme

import (
	"net/netip"
	"slices"
	"strings"

	"golang.org/x/net/idna"

	"github.com/stride-pki/stride/internal/caerr"
)

// maxIdentifiers bounds one order, so one request cannot make the server
// create an unbounded number of authorizations.
const maxIdentifiers = 100

// normalizeIdentifiers lower-cases DNS names, canonicalises IPs, drops
// duplicates (in the order given) and checks the syntax of each; the
// problems of all bad identifiers are reported together as subproblems.
func normalizeIdentifiers(in []Identifier) ([]Identifier, *Problem) {
	if len(in) == 0 {
		return nil, Malformedf("an order needs at least one identifier")
	}
	if len(in) > maxIdentifiers {
		return nil, Malformedf("an order may have at most %d identifiers", maxIdentifiers)
	}
	var out []Identifier
	var subs []Subproblem
	for _, id := range in {
		norm, sub := normalizeIdentifier(id)
		if sub != nil {
			subs = append(subs, *sub)
			continue
		}
		if !slices.Contains(out, norm) {
			out = append(out, norm)
		}
	}
	if len(subs) > 0 {
		return nil, compound(subs)
	}
	return out, nil
}

// compound wraps subproblems: a single one becomes the problem itself.
func compound(subs []Subproblem) *Problem {
	if len(subs) == 1 {
		return &Problem{Type: subs[0].Type, Detail: subs[0].Detail, Subproblems: subs}
	}
	return &Problem{Type: ProbCompound, Detail: "several identifiers were refused", Subproblems: subs}
}

func normalizeIdentifier(id Identifier) (Identifier, *Subproblem) {
	bad := func(t ProblemType, detail string) (Identifier, *Subproblem) {
		orig := id
		return Identifier{}, &Subproblem{Type: t, Detail: detail, Identifier: &orig}
	}
	switch id.Type {
	case IdentifierDNS:
		name := strings.ToLower(id.Value)
		if reason := dnsNameProblem(name); reason != "" {
			return bad(ProbRejectedIdentifier, "invalid DNS name "+quote(id.Value)+": "+reason)
		}
		return Identifier{Type: IdentifierDNS, Value: name}, nil
	case IdentifierIP:
		addr, err := netip.ParseAddr(id.Value)
		if err != nil || addr.Zone() != "" {
			return bad(ProbMalformed, "invalid IP address "+quote(id.Value))
		}
		return Identifier{Type: IdentifierIP, Value: addr.Unmap().String()}, nil
	}
	return bad(ProbUnsupportedIdentifier, "identifier type "+quote(string(id.Type))+" is not supported")
}

func quote(s string) string { return `"` + s + `"` }

// dnsNameProblem says what is wrong with a lower-cased DNS name (LDH labels,
// a leftmost "*" label at most), or "" when it is fine. Single-label names
// are allowed: a private CA issues for internal hosts.
func dnsNameProblem(name string) string {
	base := strings.TrimPrefix(name, "*.")
	switch {
	case name == "":
		return "empty"
	case len(name) > 253:
		return "longer than 253 characters"
	case strings.HasSuffix(name, "."):
		return "trailing dot"
	case strings.Contains(base, "*"):
		return "a wildcard must be the whole leftmost label"
	case isIPv4(base):
		return "an IP address is not a DNS name (use an ip identifier)"
	}
	for _, label := range strings.Split(base, ".") {
		if r := labelProblem(label); r != "" {
			return r
		}
	}
	return ""
}

func isIPv4(s string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && a.Is4()
}

func labelProblem(label string) string {
	if label == "" || len(label) > 63 {
		return "a label is empty or longer than 63 characters"
	}
	if label[0] == '-' || label[len(label)-1] == '-' {
		return "a label starts or ends with a hyphen"
	}
	for _, c := range label {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return "character " + quote(string(c)) + " is not allowed"
		}
	}
	return reservedLabelProblem(label)
}

// reservedLabelProblem refuses labels with "--" in the third and fourth
// positions (RFC 5890 §2.3.1 R-LDH labels) unless they are IDNA A-labels
// ("xn--") that decode, validate (NFC included) and encode back to
// themselves. Let's Encrypt revoked certificates twice for missing this
// (2017-08-10 non-normalized IDNs, 2021-10-11 R-LDH labels; security.md
// §1.2).
func reservedLabelProblem(label string) string {
	if len(label) < 4 || label[2:4] != "--" {
		return ""
	}
	if !strings.HasPrefix(label, "xn--") {
		return "label " + quote(label) + " is reserved (hyphens in the third and fourth positions)"
	}
	u, err := idna.Registration.ToUnicode(label)
	if err != nil {
		return "label " + quote(label) + " is not a valid IDNA A-label"
	}
	if a, err := idna.Registration.ToASCII(u); err != nil || a != label {
		return "label " + quote(label) + " is not a valid IDNA A-label"
	}
	return ""
}

// checkPolicy applies the authority's and the provisioner's policy to
// every identifier; refusals become rejectedIdentifier subproblems.
func (s *Service) checkPolicy(p *Provisioner, ids []Identifier) *Problem {
	var subs []Subproblem
	for _, id := range ids {
		err := s.auth.CheckACMEIdentifier(p.Name, string(id.Type), id.Value)
		if err == nil {
			continue
		}
		if caerr.KindOf(err) == caerr.Internal {
			return internal(err, "to check the policy")
		}
		orig := id
		subs = append(subs, Subproblem{Type: ProbRejectedIdentifier, Detail: caerr.Message(err), Identifier: &orig})
	}
	if len(subs) > 0 {
		return compound(subs)
	}
	return nil
}

// challengesFor are the challenge types offered for an identifier: dns-01
// only for wildcards (the Baseline Requirements forbid the others), no
// dns-01 for IPs (RFC 8738 §7), within the provisioner's enabled set.
func challengesFor(p *Provisioner, id Identifier, wildcard bool) []ChallengeType {
	var out []ChallengeType
	for _, t := range p.Challenges {
		switch {
		case wildcard && t != DNS01:
		case id.Type == IdentifierIP && t == DNS01:
		default:
			out = append(out, t)
		}
	}
	return out
}
