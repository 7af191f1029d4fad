// Package storagetest is the one conformance suite every storage backend
// runs: bbolt today, Badger, PostgreSQL and MySQL later. A backend's test
// calls Run with a function that opens an empty store; a failing subtest's
// name says which part of the storage.Store contract broke, e.g.
// "Run/Certificates/DuplicateSerialIsConflict".
//
// RunACME is the suite's ACME part (the acme*.go files), for backends that
// implement storage.ACME too.
//
// The suite checks behaviour only through the storage interfaces, so it
// holds any backend to the same promises: insert-only certificates, tokens
// consumed in the same transaction as what they authorize, nothing
// half-written on any error, and single use under concurrency.
package storagetest

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"testing"
	"time"

	"github.com/stride-pki/stride/internal/storage"
)

// Run runs the conformance suite. open must return a new, empty store each
// time it is called (subtests do not share state) and may use t for
// t.TempDir and cleanup; the suite closes the store at the end of the
// subtest and fails it if Close fails.
func Run(t *testing.T, open func(t *testing.T) storage.Store) {
	t.Helper()
	o := opener(open)
	t.Run("Certificates", func(t *testing.T) { runCertificates(t, o) })
	t.Run("Revocations", func(t *testing.T) { runRevocations(t, o) })
	t.Run("Tokens", func(t *testing.T) { runTokens(t, o) })
	t.Run("Concurrency", func(t *testing.T) { runConcurrency(t, o) })
	t.Run("List", func(t *testing.T) { runList(t, o) })
	t.Run("Records", func(t *testing.T) { runRecords(t, o) })
	t.Run("Context", func(t *testing.T) { runContext(t, o) })
}

// opener opens a store for one subtest and closes it when the subtest ends.
type opener func(t *testing.T) storage.Store

func (o opener) store(t *testing.T) storage.Store {
	t.Helper()
	s := o(t)
	if s == nil {
		t.Fatal("open returned a nil store")
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// subtests runs each named case against a fresh store.
func (o opener) subtests(t *testing.T, cases []namedCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.fn(t, o.store(t)) })
	}
}

type namedCase struct {
	name string
	fn   func(t *testing.T, s storage.Store)
}

// base is a time with nanoseconds in a zone that is not UTC, so round trips
// prove both the UTC conversion and the precision.
var base = time.Date(2026, 3, 14, 15, 9, 26, 535897932, time.FixedZone("UTC+5:30", 5*3600+1800))

// randomSerial returns a 128-bit decimal serial, as step writes them.
func randomSerial(t testing.TB) string {
	t.Helper()
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		t.Fatal(err)
	}
	return n.String()
}

// randomBytes returns n random bytes (a stand-in for a DER certificate: the
// store must not parse what it keeps).
func randomBytes(t testing.TB, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

// newCert returns a certificate with every field set and a fresh serial.
func newCert(t testing.TB) storage.Certificate {
	t.Helper()
	return storage.Certificate{
		Serial:  randomSerial(t),
		DER:     randomBytes(t, 700),
		Subject: "leaf.example.com",
		// Deliberately not sorted: the store must keep the order.
		SANs:      []string{"leaf.example.com", "192.0.2.7", "a.example.com", "mail@example.com", "spiffe://example.com/x"},
		NotBefore: base.Add(-time.Minute),
		NotAfter:  base.Add(24 * time.Hour),
		Provisioner: storage.ProvisionerRef{
			ID: "admin:Zq3tq0Y1sYJ-kid", Name: "admin@example.com", Type: "JWK",
		},
		IssuedAt:    base,
		RenewedFrom: "1234567890123456789",
	}
}

// newRevocation returns a revocation of serial with every field set.
func newRevocation(serial string) storage.Revocation {
	return storage.Revocation{
		Serial:        serial,
		ReasonCode:    4, // superseded
		Reason:        "key rotated — ünïcode kept",
		RevokedAt:     base.Add(time.Hour),
		ExpiresAt:     base.Add(24 * time.Hour),
		ProvisionerID: "admin:Zq3tq0Y1sYJ-kid",
		TokenID:       "jti-" + serial,
		MTLS:          true,
		ACME:          true,
	}
}

// newToken returns a token with a unique ID expiring at exp.
func newToken(t testing.TB, exp time.Time) storage.UsedToken {
	t.Helper()
	return storage.UsedToken{ID: fmt.Sprintf("admin:kid/%s", randomSerial(t)), ExpiresAt: exp}
}

// checkTime reports whether got is want in UTC to within a second (SQL
// backends may truncate or round to whole seconds).
func checkTime(t *testing.T, field string, got, want time.Time) {
	t.Helper()
	if want.IsZero() {
		if !got.IsZero() {
			t.Errorf("%s = %v, want the zero time", field, got)
		}
		return
	}
	if got.Location() != time.UTC {
		t.Errorf("%s location = %v, want UTC", field, got.Location())
	}
	if d := got.Sub(want); d <= -time.Second || d >= time.Second {
		t.Errorf("%s = %v, want %v (to the second)", field, got, want.UTC())
	}
}

func checkCertificate(t *testing.T, got *storage.Certificate, want storage.Certificate) {
	t.Helper()
	if got == nil {
		t.Fatal("Certificate returned nil without an error")
	}
	if got.Serial != want.Serial || got.Subject != want.Subject || got.RenewedFrom != want.RenewedFrom {
		t.Errorf("serial/subject/renewedFrom = %q/%q/%q, want %q/%q/%q",
			got.Serial, got.Subject, got.RenewedFrom, want.Serial, want.Subject, want.RenewedFrom)
	}
	if string(got.DER) != string(want.DER) {
		t.Errorf("DER differs (%d bytes, want %d)", len(got.DER), len(want.DER))
	}
	if fmt.Sprint(got.SANs) != fmt.Sprint(want.SANs) || len(got.SANs) != len(want.SANs) {
		t.Errorf("SANs = %q, want %q (in this order)", got.SANs, want.SANs)
	}
	if got.Provisioner != want.Provisioner {
		t.Errorf("Provisioner = %+v, want %+v", got.Provisioner, want.Provisioner)
	}
	checkTime(t, "NotBefore", got.NotBefore, want.NotBefore)
	checkTime(t, "NotAfter", got.NotAfter, want.NotAfter)
	checkTime(t, "IssuedAt", got.IssuedAt, want.IssuedAt)
}

func checkRevocation(t *testing.T, got *storage.Revocation, want storage.Revocation) {
	t.Helper()
	if got == nil {
		t.Fatal("Revocation returned nil without an error")
	}
	g, w := *got, want
	checkTime(t, "RevokedAt", g.RevokedAt, w.RevokedAt)
	checkTime(t, "ExpiresAt", g.ExpiresAt, w.ExpiresAt)
	g.RevokedAt, g.ExpiresAt, w.RevokedAt, w.ExpiresAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if g != w {
		t.Errorf("Revocation = %+v, want %+v", g, w)
	}
}

// wantErr fails unless err matches target (nil meaning success).
func wantErr(t *testing.T, op string, err, target error) {
	t.Helper()
	switch {
	case target == nil && err != nil:
		t.Fatalf("%s: unexpected error %v", op, err)
	case target != nil && !errors.Is(err, target):
		t.Fatalf("%s: error = %v, want %v", op, err, target)
	}
}

// mustRecord records cert (consuming tok when not nil) and fails on error.
func mustRecord(t *testing.T, s storage.Store, cert storage.Certificate, tok *storage.UsedToken) {
	t.Helper()
	wantErr(t, "RecordIssuance", s.RecordIssuance(context.Background(), cert, tok), nil)
}

// wantNoCertificate fails unless serial is absent.
func wantNoCertificate(t *testing.T, s storage.Store, serial string) {
	t.Helper()
	c, err := s.Certificate(context.Background(), serial)
	if !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("Certificate(%s) = %v, %v; want ErrNotFound (nothing may be stored)", serial, c, err)
	}
}

// wantNoRevocation fails unless serial has no revocation.
func wantNoRevocation(t *testing.T, s storage.Store, serial string) {
	t.Helper()
	r, err := s.Revocation(context.Background(), serial)
	if !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("Revocation(%s) = %v, %v; want ErrNotFound (nothing may be stored)", serial, r, err)
	}
}

// wantTokenFree fails unless tok was not consumed; it consumes it.
func wantTokenFree(t *testing.T, s storage.Store, tok storage.UsedToken) {
	t.Helper()
	if err := s.UseToken(context.Background(), tok); err != nil {
		t.Fatalf("UseToken(%s) = %v; want nil (the token must not have been consumed)", tok.ID, err)
	}
}

// wantTokenUsed fails unless tok was consumed.
func wantTokenUsed(t *testing.T, s storage.Store, tok storage.UsedToken) {
	t.Helper()
	if err := s.UseToken(context.Background(), tok); !errors.Is(err, storage.ErrTokenUsed) {
		t.Fatalf("UseToken(%s) = %v; want ErrTokenUsed", tok.ID, err)
	}
}
