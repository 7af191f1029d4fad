package validation

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net"
	"strconv"
	"strings"
)

// DNS01Value is the TXT record value that proves keyAuthorization (RFC 8555
// §8.4): base64url(SHA-256(keyAuthorization)) without padding.
func DNS01Value(keyAuthorization string) string {
	sum := sha256.Sum256([]byte(keyAuthorization))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// DNS01 performs the dns-01 challenge: one of the TXT records at
// _acme-challenge.<domain> must equal DNS01Value(keyAuthorization). The
// caller strips a wildcard's "*." first.
func (v *Validator) DNS01(ctx context.Context, domain, keyAuthorization string) error {
	domain = strings.TrimSuffix(domain, ".")
	if domain == "" || strings.HasPrefix(domain, "*.") {
		return newError("malformed", false, "invalid dns-01 domain %q", domain)
	}
	name := "_acme-challenge." + domain
	ctx, cancel := v.attempt(ctx)
	defer cancel()
	// Fully qualified, so resolv.conf search domains are never tried.
	records, err := v.resolver.LookupTXT(ctx, name+".")
	var de *net.DNSError
	if errors.As(err, &de) && de.IsNotFound {
		return newError("unauthorized", true, "no TXT record found at %s", name)
	}
	if err != nil {
		return dnsError(name, "TXT", err)
	}
	if len(records) == 0 {
		return newError("unauthorized", true, "no TXT record found at %s", name)
	}
	want := DNS01Value(keyAuthorization)
	for _, r := range records {
		if subtle.ConstantTimeCompare([]byte(strings.TrimSpace(r)), []byte(want)) == 1 {
			return nil
		}
	}
	return newError("incorrectResponse", false, "incorrect TXT record at %s: expected %q, found %s",
		name, want, foundTXT(records))
}

// foundTXT lists what was found, bounded: a zone may hold many or long
// records and the detail is shown to the client.
func foundTXT(records []string) string {
	const show = 3
	parts := make([]string, 0, show)
	for i, r := range records {
		if i == show {
			parts = append(parts, "…")
			break
		}
		parts = append(parts, quoted([]byte(r)))
	}
	return strings.Join(parts, ", ") + " (" + strconv.Itoa(len(records)) + " record(s))"
}
