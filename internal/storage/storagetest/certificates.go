package storagetest

import (
	"context"
	"testing"
	"time"

	"github.com/stride-pki/stride/internal/storage"
)

func runCertificates(t *testing.T, o opener) {
	o.subtests(t, []namedCase{
		{"RoundTripEveryField", certRoundTrip},
		{"RoundTripMinimal", certRoundTripMinimal},
		{"RoundTripFarFutureNotAfter", certFarFuture},
		{"UnknownSerialIsNotFound", certNotFound},
		{"DuplicateSerialIsConflict", certDuplicate},
		{"WithTokenConsumesIt", certWithToken},
		{"UsedTokenStoresNothing", certUsedToken},
		{"UsedTokenWinsOverConflict", certUsedTokenAndConflict},
		{"EmptySerialIsRejected", certEmptySerial},
		{"EmptyTokenIDIsRejected", certEmptyTokenID},
		{"ReturnedCopyIsIndependent", certCopy},
	})
}

func certRoundTrip(t *testing.T, s storage.Store) {
	want := newCert(t)
	mustRecord(t, s, want, nil)
	got, err := s.Certificate(context.Background(), want.Serial)
	wantErr(t, "Certificate", err, nil)
	checkCertificate(t, got, want)
}

// certRoundTripMinimal: optional fields left empty come back empty.
func certRoundTripMinimal(t *testing.T, s storage.Store) {
	want := storage.Certificate{
		Serial:    randomSerial(t),
		DER:       randomBytes(t, 64),
		NotBefore: base,
		NotAfter:  base.Add(time.Hour),
		IssuedAt:  base,
	}
	mustRecord(t, s, want, nil)
	got, err := s.Certificate(context.Background(), want.Serial)
	wantErr(t, "Certificate", err, nil)
	checkCertificate(t, got, want)
}

// certFarFuture: RFC 5280 §4.1.2.5 lets notAfter be 99991231235959Z, beyond
// what a nanosecond int64 can hold.
func certFarFuture(t *testing.T, s storage.Store) {
	want := newCert(t)
	want.NotAfter = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
	mustRecord(t, s, want, nil)
	got, err := s.Certificate(context.Background(), want.Serial)
	wantErr(t, "Certificate", err, nil)
	checkCertificate(t, got, want)
}

func certNotFound(t *testing.T, s storage.Store) {
	wantNoCertificate(t, s, randomSerial(t))
	mustRecord(t, s, newCert(t), nil)
	wantNoCertificate(t, s, randomSerial(t))
}

// certDuplicate: certificates are insert-only (invariant I2); a second
// insert of the serial changes nothing and consumes no token.
func certDuplicate(t *testing.T, s storage.Store) {
	first := newCert(t)
	mustRecord(t, s, first, nil)

	second := newCert(t)
	second.Serial = first.Serial
	second.Subject = "other.example.com"
	tok := newToken(t, base.Add(time.Hour))
	err := s.RecordIssuance(context.Background(), second, &tok)
	wantErr(t, "RecordIssuance(duplicate serial)", err, storage.ErrConflict)

	got, err := s.Certificate(context.Background(), first.Serial)
	wantErr(t, "Certificate", err, nil)
	checkCertificate(t, got, first)
	wantTokenFree(t, s, tok)
}

func certWithToken(t *testing.T, s storage.Store) {
	cert := newCert(t)
	tok := newToken(t, base.Add(time.Hour))
	mustRecord(t, s, cert, &tok)
	wantTokenUsed(t, s, tok)
	// One namespace: the same token cannot authorize another issuance.
	other := newCert(t)
	err := s.RecordIssuance(context.Background(), other, &tok)
	wantErr(t, "RecordIssuance(replayed token)", err, storage.ErrTokenUsed)
	wantNoCertificate(t, s, other.Serial)
}

// certUsedToken: a replayed token stores nothing at all, so the same
// certificate can be recorded afterwards without a conflict.
func certUsedToken(t *testing.T, s storage.Store) {
	tok := newToken(t, base.Add(time.Hour))
	wantErr(t, "UseToken", s.UseToken(context.Background(), tok), nil)

	cert := newCert(t)
	err := s.RecordIssuance(context.Background(), cert, &tok)
	wantErr(t, "RecordIssuance(used token)", err, storage.ErrTokenUsed)
	wantNoCertificate(t, s, cert.Serial)
	mustRecord(t, s, cert, nil)
}

func certUsedTokenAndConflict(t *testing.T, s storage.Store) {
	cert := newCert(t)
	mustRecord(t, s, cert, nil)
	tok := newToken(t, base.Add(time.Hour))
	wantErr(t, "UseToken", s.UseToken(context.Background(), tok), nil)
	err := s.RecordIssuance(context.Background(), cert, &tok)
	wantErr(t, "RecordIssuance(used token, existing serial)", err, storage.ErrTokenUsed)
}

func certEmptySerial(t *testing.T, s storage.Store) {
	cert := newCert(t)
	cert.Serial = ""
	tok := newToken(t, base.Add(time.Hour))
	if err := s.RecordIssuance(context.Background(), cert, &tok); err == nil {
		t.Fatal("RecordIssuance with an empty serial succeeded")
	}
	wantTokenFree(t, s, tok)
}

func certEmptyTokenID(t *testing.T, s storage.Store) {
	cert := newCert(t)
	tok := storage.UsedToken{ExpiresAt: base}
	if err := s.RecordIssuance(context.Background(), cert, &tok); err == nil {
		t.Fatal("RecordIssuance with an empty token ID succeeded")
	}
	wantNoCertificate(t, s, cert.Serial)
}

// certCopy: what a read returns belongs to the caller (a backend that hands
// out memory-mapped pages would fail here or crash).
func certCopy(t *testing.T, s storage.Store) {
	want := newCert(t)
	mustRecord(t, s, want, nil)
	got, err := s.Certificate(context.Background(), want.Serial)
	wantErr(t, "Certificate", err, nil)
	for i := range got.DER {
		got.DER[i] = 0
	}
	if len(got.SANs) > 0 {
		got.SANs[0] = "changed"
	}
	// Write something else so a page could be reused, then read again.
	mustRecord(t, s, newCert(t), nil)
	again, err := s.Certificate(context.Background(), want.Serial)
	wantErr(t, "Certificate", err, nil)
	checkCertificate(t, again, want)
}
