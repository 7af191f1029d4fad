package admin

import (
	"time"

	"github.com/stride-pki/stride/internal/caerr"
	"github.com/stride-pki/stride/internal/storage"
)

// Query is an inventory listing as an operator writes it: strings as they
// come from flags or URL parameters, parsed and checked by List.
type Query struct {
	// ExpiringWithin keeps certificates not yet expired whose notAfter is
	// within this duration from now ("30d", "12h"; see ParseDuration).
	ExpiringWithin string
	// Provisioner is a provisioner name, matched exactly.
	Provisioner string
	// Subject and SAN are case-insensitive substrings of the subject
	// common name and of any SAN.
	Subject, SAN string
	// Revoked, when set, keeps only revoked (true) or unrevoked (false)
	// certificates.
	Revoked *bool
	// IssuedAfter keeps certificates recorded after a time: RFC 3339
	// ("2026-03-01T00:00:00Z"), a date ("2026-03-01", midnight UTC), or a
	// duration before now ("7d": issued in the last week).
	IssuedAfter string
	// Limit caps a page (0: every matching certificate); Cursor is a
	// previous page's Next.
	Limit  int
	Cursor string
}

// maxFilterLen bounds a substring filter; no subject or SAN is longer.
const maxFilterLen = 1024

// filter checks q and turns it into the store's filter, counting from now.
func (q Query) filter(now time.Time) (storage.CertificateFilter, error) {
	f := storage.CertificateFilter{Provisioner: q.Provisioner, Subject: q.Subject, SAN: q.SAN}
	if len(q.Subject) > maxFilterLen || len(q.SAN) > maxFilterLen || len(q.Provisioner) > maxFilterLen {
		return f, caerr.BadRequestf("a filter is longer than %d bytes", maxFilterLen)
	}
	if q.Limit < 0 {
		return f, caerr.BadRequestf("limit %d: must be 0 (no limit) or more", q.Limit)
	}
	if q.Revoked != nil {
		f.Revoked = storage.NotRevoked
		if *q.Revoked {
			f.Revoked = storage.OnlyRevoked
		}
	}
	if q.ExpiringWithin != "" {
		d, err := ParseDuration(q.ExpiringWithin)
		if err != nil {
			return f, caerr.BadRequestf("expiring within: %v", err)
		}
		f.NotAfterFrom, f.NotAfterBefore = now, now.Add(d)
	}
	if q.IssuedAfter != "" {
		t, err := parseSince(q.IssuedAfter, now)
		if err != nil {
			return f, err
		}
		f.IssuedAfter = t
	}
	return f, nil
}

// parseSince reads an RFC 3339 time, a date, or a duration before now.
func parseSince(s string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	if d, err := ParseDuration(s); err == nil {
		return now.Add(-d), nil
	}
	return time.Time{}, caerr.BadRequestf("issued after %q: want an RFC 3339 time, a date (2006-01-02) or a duration such as 7d", s)
}
