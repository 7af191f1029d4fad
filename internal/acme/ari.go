package acme

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"errors"
	"math/big"
	"strings"
	"time"

	"github.com/stride-pki/stride/internal/storage"
)

// ACME Renewal Information (RFC 9773): an unauthenticated GET of
// {directory's renewalInfo}/{certID} tells a client when to renew, and a
// new-order may name the certificate it replaces.

// ProbAlreadyReplaced: the certificate a new-order "replaces" was already
// replaced by another finalized order (RFC 9773 §7.4); answered 409.
const ProbAlreadyReplaced ProblemType = problemNS + "alreadyReplaced"

// RenewalInfoPath is the path segment of the renewalInfo resource under a
// provisioner's ACME prefix (the directory field is "renewalInfo").
const RenewalInfoPath = "renewal-info"

// ARICertID names a certificate the RFC 9773 §4.1 way: the keyIdentifier
// of its Authority Key Identifier and its serial number.
type ARICertID struct {
	KeyID  []byte
	Serial *big.Int
}

// NewARICertID returns cert's identifier; a certificate without an AKI
// keyIdentifier has none (every certificate Stride issues has one).
func NewARICertID(cert *x509.Certificate) (ARICertID, error) {
	if len(cert.AuthorityKeyId) == 0 {
		return ARICertID{}, errors.New("the certificate has no authority key identifier")
	}
	if cert.SerialNumber == nil || cert.SerialNumber.Sign() <= 0 {
		return ARICertID{}, errors.New("the certificate's serial number is not positive")
	}
	return ARICertID{KeyID: cert.AuthorityKeyId, Serial: cert.SerialNumber}, nil
}

// String is base64url(keyIdentifier) "." base64url(serial), the serial as
// the content octets of its DER INTEGER (so with a leading zero byte when
// the high bit is set), both without padding.
func (id ARICertID) String() string {
	der, _ := asn1.Marshal(id.Serial) // cannot fail for a *big.Int
	var rv asn1.RawValue
	_, _ = asn1.Unmarshal(der, &rv)
	return base64.RawURLEncoding.EncodeToString(id.KeyID) + "." + base64.RawURLEncoding.EncodeToString(rv.Bytes)
}

// ParseARICertID parses an identifier (trailing "=" tolerated: clients were
// told to strip it, not the server to insist). Errors are malformed
// problems.
func ParseARICertID(s string) (ARICertID, error) {
	kid, serial, ok := strings.Cut(s, ".")
	if !ok {
		return ARICertID{}, Malformedf("certificate identifier %q: want base64url(AKI keyIdentifier).base64url(serial)", s)
	}
	k, err1 := base64.RawURLEncoding.DecodeString(strings.TrimRight(kid, "="))
	b, err2 := base64.RawURLEncoding.DecodeString(strings.TrimRight(serial, "="))
	if err1 != nil || err2 != nil || len(k) == 0 {
		return ARICertID{}, Malformedf("certificate identifier %q is not two base64url parts", s)
	}
	n, err := parseDERPositive(b)
	if err != nil {
		return ARICertID{}, Malformedf("certificate identifier %q: serial: %v", s, err)
	}
	return ARICertID{KeyID: k, Serial: n}, nil
}

// parseDERPositive reads the content octets of a DER INTEGER that must be
// positive and minimally encoded, as every serial number is.
func parseDERPositive(b []byte) (*big.Int, error) {
	switch {
	case len(b) == 0:
		return nil, errors.New("empty")
	case b[0]&0x80 != 0:
		return nil, errors.New("negative")
	case len(b) > 1 && b[0] == 0 && b[1]&0x80 == 0:
		return nil, errors.New("not minimally encoded")
	}
	n := new(big.Int).SetBytes(b)
	if n.Sign() == 0 {
		return nil, errors.New("zero")
	}
	return n, nil
}

// RenewalWindow is the suggestedWindow of a RenewalInfo (RFC 9773 §4.2).
type RenewalWindow struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// RenewalInfo is the renewalInfo resource (RFC 9773 §4.2).
type RenewalInfo struct {
	SuggestedWindow RenewalWindow `json:"suggestedWindow"`
	ExplanationURL  string        `json:"explanationURL,omitempty"`
}

// SuggestRenewal is the window for a certificate valid from notBefore to
// notAfter, revoked at revokedAt (zero: not revoked), asked at now.
//
// Not revoked: a window a tenth of the lifetime wide (never empty),
// centred at two thirds of the lifetime: [3/5, 11/15] of it, so clients
// spread their renewals instead of all renewing at one instant, and the
// whole window ends with a quarter of the lifetime left for retries. The
// window depends only on the certificate, so repeated answers agree.
//
// Revoked: renew now: the window opened an hour ago and closes now, so that
// RFC 9773 §4.2's client algorithm (a uniform random time in the window; in
// the past: renew at once) always renews at once. A window reaching into the
// future would let such a client wait, or skip the renewal, about half the
// time (lego 4.35 without --ari-wait-to-renew-duration does the latter).
func SuggestRenewal(notBefore, notAfter, revokedAt, now time.Time) RenewalWindow {
	if !revokedAt.IsZero() {
		return RenewalWindow{Start: now.Add(-time.Hour).UTC().Truncate(time.Second), End: now.UTC().Truncate(time.Second)}
	}
	step := notAfter.Sub(notBefore) / 15
	start := notBefore.Add(9 * step).UTC().Truncate(time.Second)
	end := notBefore.Add(11 * step).UTC().Truncate(time.Second)
	if !end.After(start) {
		end = start.Add(time.Second) // an empty window is invalid (§4.2)
	}
	return RenewalWindow{Start: start, End: end}
}

// RenewalRetryAfter is how long a client should wait before asking again (the
// Retry-After of the renewalInfo answer, RFC 9773 §4.3): six hours, but no
// more than a tenth of the lifetime, so that a 24-hour certificate's
// client looks again within its window, and at least a minute.
func RenewalRetryAfter(notBefore, notAfter time.Time) time.Duration {
	d := min(6*time.Hour, notAfter.Sub(notBefore)/10)
	return max(d, time.Minute)
}

// ARIStore is what the renewalInfo lookup reads.
type ARIStore interface {
	Certificate(ctx context.Context, serial string) (*storage.Certificate, error)
	Revocation(ctx context.Context, serial string) (*storage.Revocation, error)
}

// LookupRenewalInfo answers GET renewal-info/{certID} for the ACME
// provisioner named provisioner: the window and the Retry-After. A
// certificate this provisioner did not issue, or whose AKI is not the
// identifier's, is not found (a 404 malformed problem): ARI describes what
// this ACME endpoint issued.
func LookupRenewalInfo(ctx context.Context, store ARIStore, provisioner, certID string, now time.Time) (*RenewalInfo, time.Duration, error) {
	id, err := ParseARICertID(certID)
	if err != nil {
		return nil, 0, err
	}
	notFound := notFoundf("no certificate %s", certID)
	serial := id.Serial.String()
	cert, err := store.Certificate(ctx, serial)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return nil, 0, notFound
	case err != nil:
		return nil, 0, internal(err, "to read the certificate")
	}
	parsed, err := x509.ParseCertificate(cert.DER)
	if err != nil {
		return nil, 0, internal(err, "to parse the stored certificate")
	}
	if cert.Provisioner.Name != provisioner || !bytes.Equal(parsed.AuthorityKeyId, id.KeyID) {
		return nil, 0, notFound
	}
	var revokedAt time.Time
	switch rev, err := store.Revocation(ctx, serial); {
	case err == nil:
		revokedAt = rev.RevokedAt
	case !errors.Is(err, storage.ErrNotFound):
		return nil, 0, internal(err, "to read the revocation")
	}
	info := &RenewalInfo{SuggestedWindow: SuggestRenewal(cert.NotBefore, cert.NotAfter, revokedAt, now)}
	return info, RenewalRetryAfter(cert.NotBefore, cert.NotAfter), nil
}

// RenewalInfo answers the renewalInfo resource of provisioner p for
// certID: the suggested window and how long to wait before asking again.
func (s *Service) RenewalInfo(ctx context.Context, p *Provisioner, certID string) (*RenewalInfo, time.Duration, error) {
	return LookupRenewalInfo(ctx, s.store, p.Name, certID, s.now())
}
