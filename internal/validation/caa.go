package validation

import (
	"context"
	"errors"
	"strings"
)

// CAARecord is one parsed CAA resource record (RFC 8659 §4.1).
type CAARecord struct {
	Flags uint8
	Tag   string
	Value string
}

// Critical reports the issuer-critical flag. Bit 0 (128) is the RFC's; bit 7
// (1) is also honoured because it was widely set by mistake for the same
// purpose (the old bit numbering), and refusing is the safe reading.
func (r CAARecord) Critical() bool { return r.Flags&0x81 != 0 }

// ParseCAA decodes the RDATA of a CAA record: flags, tag length, tag (1–15
// ASCII letters and digits, RFC 8659 §4.1), value (the rest).
func ParseCAA(rdata []byte) (CAARecord, error) {
	if len(rdata) < 2 {
		return CAARecord{}, errors.New("CAA record too short")
	}
	n := int(rdata[1])
	if n == 0 || n > 15 || len(rdata) < 2+n {
		return CAARecord{}, errors.New("CAA record has an invalid tag length")
	}
	tag := rdata[2 : 2+n]
	for _, c := range tag {
		if !isAlnum(c) {
			return CAARecord{}, errors.New("CAA record tag is not alphanumeric")
		}
	}
	return CAARecord{Flags: rdata[0], Tag: string(tag), Value: string(rdata[2+n:])}, nil
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// CAA checks whether the CAA records of domain (RFC 8659) allow issuance by
// one of issuerDomains. The first non-empty RRset walking from domain up to
// its TLD is relevant; no CAA record anywhere allows everyone. For a
// wildcard, issuewild records take precedence over issue records (§4.3).
// A lookup failure is an error, never "no records".
//
// Records with the RFC 8657 accounturi or validationmethods parameters never
// authorize through CAA, which knows neither; use CAAForAccount.
func (v *Validator) CAA(ctx context.Context, domain string, wildcard bool, issuerDomains []string) error {
	return v.CAAForAccount(ctx, domain, wildcard, issuerDomains, CAAAccount{})
}

// CAAAccount names the ACME account and validation method (RFC 8657) the
// CAA check is for; empty fields match no accounturi/validationmethods
// parameter.
type CAAAccount struct {
	URI    string // the account URL, compared exactly with accounturi
	Method string // the challenge type that validated the name, e.g. "http-01"
}

// CAAForAccount is CAA that also honours the RFC 8657 parameters of
// issue/issuewild records for acct.
func (v *Validator) CAAForAccount(ctx context.Context, domain string, wildcard bool, issuerDomains []string, acct CAAAccount) error {
	domain = strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(domain, "*."), "."))
	if domain == "" {
		return newError("malformed", false, "invalid CAA domain %q", domain)
	}
	ctx, cancel := v.attempt(ctx)
	defer cancel()
	labels := strings.Split(domain, ".")
	for i := range labels {
		name := strings.Join(labels[i:], ".")
		rdatas, err := v.queryCAA(ctx, name)
		if err != nil {
			return err
		}
		if len(rdatas) == 0 {
			continue
		}
		records := make([]CAARecord, 0, len(rdatas))
		for _, rd := range rdatas {
			r, err := ParseCAA(rd)
			if err != nil {
				// An undecodable record might be a critical restriction;
				// reading it as "nothing" could permit issuance.
				return newError("caa", false, "malformed CAA record at %s: %v", name, err)
			}
			records = append(records, r)
		}
		return evaluateCAA(name, records, wildcard, issuerDomains, acct)
	}
	return nil
}

// evaluateCAA applies RFC 8659 §4 to the relevant RRset found at name.
func evaluateCAA(name string, records []CAARecord, wildcard bool, issuerDomains []string, acct CAAAccount) error {
	var issue, issuewild []CAARecord
	for _, r := range records {
		switch strings.ToLower(r.Tag) {
		case "issue":
			issue = append(issue, r)
		case "issuewild":
			issuewild = append(issuewild, r)
		case "iodef", "contactemail", "contactphone", "issuemail", "issuevmc":
			// Known properties that do not restrict certificate issuance.
		default:
			if r.Critical() {
				return newError("caa", false, "CAA record at %s has the unknown critical tag %q",
					name, truncate([]byte(r.Tag), 15))
			}
		}
	}
	relevant := issue
	kind := "issue"
	if wildcard && len(issuewild) > 0 {
		relevant, kind = issuewild, "issuewild"
	}
	if len(relevant) == 0 {
		// Only other tags (iodef, …): nothing restricts issuance.
		return nil
	}
	for _, r := range relevant {
		if caaAuthorizes(r.Value, issuerDomains, acct) {
			return nil
		}
	}
	return newError("caa", false, "CAA %s records at %s do not authorize this CA (%s)",
		kind, name, strings.Join(issuerDomains, ", "))
}

// caaAuthorizes parses an issue/issuewild value (RFC 8659 §4.2:
// issuer-domain-name [";" tag=value ...]) and reports whether it names one
// of issuerDomains for acct. A malformed value authorizes no one, and so
// does a restriction (RFC 8657) acct does not meet.
func caaAuthorizes(value string, issuerDomains []string, acct CAAAccount) bool {
	domain, params, _ := strings.Cut(value, ";")
	domain = strings.TrimSpace(domain)
	if domain == "" || !validIssuerDomain(domain) {
		return false
	}
	seen := map[string]bool{}
	for _, p := range strings.Split(params, ";") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		key, val, ok := strings.Cut(p, "=")
		key = strings.ToLower(strings.TrimSpace(key))
		if !ok || key == "" || seen[key] {
			return false // malformed, or ambiguous (RFC 8657 §3: at most one of each)
		}
		seen[key] = true
		if !paramAllows(key, strings.TrimSpace(val), acct) {
			return false
		}
	}
	for _, d := range issuerDomains {
		if strings.EqualFold(strings.TrimSuffix(d, "."), domain) {
			return true
		}
	}
	return false
}

// paramAllows checks one RFC 8657 parameter; unknown ones do not restrict
// (RFC 8659 §4.2).
func paramAllows(key, val string, acct CAAAccount) bool {
	switch key {
	case "accounturi":
		return acct.URI != "" && val == acct.URI
	case "validationmethods":
		for _, m := range strings.Split(val, ",") {
			if acct.Method != "" && strings.TrimSpace(m) == acct.Method {
				return true
			}
		}
		return false
	}
	return true
}

// validIssuerDomain accepts LDH labels separated by dots (RFC 8659 §4.2).
func validIssuerDomain(d string) bool {
	for _, label := range strings.Split(d, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for i := 0; i < len(label); i++ {
			if c := label[i]; !isAlnum(c) && c != '-' {
				return false
			}
		}
	}
	return true
}
