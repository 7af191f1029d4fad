package storagetest

import (
	"context"
	"testing"
	"time"

	"github.com/stride-pki/stride/internal/storage"
)

func runRevocations(t *testing.T, o opener) {
	o.subtests(t, []namedCase{
		{"RoundTripEveryField", revRoundTrip},
		{"RoundTripMinimal", revRoundTripMinimal},
		{"UnknownSerialIsNotFound", revNotFound},
		{"SecondRevokeIsAlreadyRevoked", revTwice},
		{"WithTokenConsumesIt", revWithToken},
		{"UsedTokenStoresNothing", revUsedToken},
		{"UsedTokenWinsOverAlreadyRevoked", revUsedTokenAndRevoked},
		{"IndependentOfCertificates", revIndependent},
		{"EmptySerialIsRejected", revEmptySerial},
	})
}

func revRoundTrip(t *testing.T, s storage.Store) {
	want := newRevocation(randomSerial(t))
	wantErr(t, "Revoke", s.Revoke(context.Background(), want, nil), nil)
	got, err := s.Revocation(context.Background(), want.Serial)
	wantErr(t, "Revocation", err, nil)
	checkRevocation(t, got, want)
}

// revRoundTripMinimal: reason code 0, no text, zero ExpiresAt, no flags.
func revRoundTripMinimal(t *testing.T, s storage.Store) {
	want := storage.Revocation{Serial: randomSerial(t), RevokedAt: base}
	wantErr(t, "Revoke", s.Revoke(context.Background(), want, nil), nil)
	got, err := s.Revocation(context.Background(), want.Serial)
	wantErr(t, "Revocation", err, nil)
	checkRevocation(t, got, want)
}

func revNotFound(t *testing.T, s storage.Store) {
	wantNoRevocation(t, s, randomSerial(t))
	wantErr(t, "Revoke", s.Revoke(context.Background(), newRevocation(randomSerial(t)), nil), nil)
	wantNoRevocation(t, s, randomSerial(t))
}

// revTwice: the first revocation stands; the second consumes no token.
func revTwice(t *testing.T, s storage.Store) {
	first := newRevocation(randomSerial(t))
	wantErr(t, "Revoke", s.Revoke(context.Background(), first, nil), nil)

	second := first
	second.ReasonCode, second.Reason, second.MTLS = 1, "key compromise", false
	tok := newToken(t, base.Add(time.Hour))
	err := s.Revoke(context.Background(), second, &tok)
	wantErr(t, "Revoke(again)", err, storage.ErrAlreadyRevoked)

	got, err := s.Revocation(context.Background(), first.Serial)
	wantErr(t, "Revocation", err, nil)
	checkRevocation(t, got, first)
	wantTokenFree(t, s, tok)
}

func revWithToken(t *testing.T, s storage.Store) {
	tok := newToken(t, base.Add(time.Hour))
	rev := newRevocation(randomSerial(t))
	wantErr(t, "Revoke", s.Revoke(context.Background(), rev, &tok), nil)
	wantTokenUsed(t, s, tok)
	// One namespace: a token used for a revocation cannot authorize an issuance.
	cert := newCert(t)
	err := s.RecordIssuance(context.Background(), cert, &tok)
	wantErr(t, "RecordIssuance(token used by Revoke)", err, storage.ErrTokenUsed)
	wantNoCertificate(t, s, cert.Serial)
}

// revUsedToken: a replayed token leaves the serial unrevoked, so a later
// legitimate revocation succeeds.
func revUsedToken(t *testing.T, s storage.Store) {
	tok := newToken(t, base.Add(time.Hour))
	mustRecord(t, s, newCert(t), &tok)

	rev := newRevocation(randomSerial(t))
	err := s.Revoke(context.Background(), rev, &tok)
	wantErr(t, "Revoke(used token)", err, storage.ErrTokenUsed)
	wantNoRevocation(t, s, rev.Serial)
	wantErr(t, "Revoke(fresh token)", s.Revoke(context.Background(), rev, ptr(newToken(t, base))), nil)
}

func revUsedTokenAndRevoked(t *testing.T, s storage.Store) {
	rev := newRevocation(randomSerial(t))
	wantErr(t, "Revoke", s.Revoke(context.Background(), rev, nil), nil)
	tok := newToken(t, base.Add(time.Hour))
	wantErr(t, "UseToken", s.UseToken(context.Background(), tok), nil)
	err := s.Revoke(context.Background(), rev, &tok)
	wantErr(t, "Revoke(used token, revoked serial)", err, storage.ErrTokenUsed)
}

// revIndependent: revoking needs no stored certificate (passive revocation,
// as step-ca), and revoking a stored one leaves the certificate in place.
func revIndependent(t *testing.T, s storage.Store) {
	cert := newCert(t)
	mustRecord(t, s, cert, nil)
	wantErr(t, "Revoke", s.Revoke(context.Background(), newRevocation(cert.Serial), nil), nil)
	got, err := s.Certificate(context.Background(), cert.Serial)
	wantErr(t, "Certificate(after revoke)", err, nil)
	checkCertificate(t, got, cert)

	unknown := randomSerial(t)
	wantErr(t, "Revoke(unknown serial)", s.Revoke(context.Background(), newRevocation(unknown), nil), nil)
	wantNoCertificate(t, s, unknown)
}

func revEmptySerial(t *testing.T, s storage.Store) {
	tok := newToken(t, base.Add(time.Hour))
	if err := s.Revoke(context.Background(), storage.Revocation{RevokedAt: base}, &tok); err == nil {
		t.Fatal("Revoke with an empty serial succeeded")
	}
	wantTokenFree(t, s, tok)
}

func ptr[T any](v T) *T { return &v }
