package storagetest

import (
	"context"
	"testing"
	"time"

	"github.com/stride-pki/stride/internal/storage"
)

func runTokens(t *testing.T, o opener) {
	o.subtests(t, []namedCase{
		{"UseTokenIsSingleUse", tokSingleUse},
		{"UseTokenBlocksIssuanceAndRevoke", tokBlocksOthers},
		{"EmptyIDIsRejected", tokEmptyID},
		{"PurgeOnlyExpired", tokPurgeOnlyExpired},
		{"PurgeCountsTokensOfEveryOperation", tokPurgeAllOperations},
		{"PurgeEmptyStore", tokPurgeEmpty},
	})
}

func tokSingleUse(t *testing.T, s storage.Store) {
	tok := newToken(t, base.Add(time.Hour))
	wantErr(t, "UseToken(first)", s.UseToken(context.Background(), tok), nil)
	wantErr(t, "UseToken(second)", s.UseToken(context.Background(), tok), storage.ErrTokenUsed)
	// The replay key is the ID alone: a different exp does not make it new.
	tok.ExpiresAt = tok.ExpiresAt.Add(time.Hour)
	wantErr(t, "UseToken(same ID, other exp)", s.UseToken(context.Background(), tok), storage.ErrTokenUsed)
	// IDs are compared exactly.
	wantTokenFree(t, s, storage.UsedToken{ID: tok.ID + " ", ExpiresAt: tok.ExpiresAt})
}

func tokBlocksOthers(t *testing.T, s storage.Store) {
	tok := newToken(t, base.Add(time.Hour))
	wantErr(t, "UseToken", s.UseToken(context.Background(), tok), nil)
	cert := newCert(t)
	wantErr(t, "RecordIssuance", s.RecordIssuance(context.Background(), cert, &tok), storage.ErrTokenUsed)
	wantNoCertificate(t, s, cert.Serial)
	rev := newRevocation(cert.Serial)
	wantErr(t, "Revoke", s.Revoke(context.Background(), rev, &tok), storage.ErrTokenUsed)
	wantNoRevocation(t, s, rev.Serial)
}

func tokEmptyID(t *testing.T, s storage.Store) {
	if err := s.UseToken(context.Background(), storage.UsedToken{ExpiresAt: base}); err == nil {
		t.Fatal("UseToken with an empty ID succeeded")
	}
}

// tokPurgeOnlyExpired: strictly before the cut-off goes; at or after it, or
// without an expiry, stays and still blocks replays.
func tokPurgeOnlyExpired(t *testing.T, s storage.Store) {
	ctx := context.Background()
	expired := []storage.UsedToken{
		newToken(t, base.Add(-48*time.Hour)),
		newToken(t, base.Add(-time.Hour)),
		newToken(t, base.Add(-2*time.Second)),
	}
	kept := []storage.UsedToken{
		newToken(t, base.Add(2*time.Second)),
		newToken(t, base.Add(time.Hour)),
		newToken(t, time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)),
		{ID: "no-expiry/" + randomSerial(t)}, // zero ExpiresAt: never purged
	}
	for _, tok := range append(append([]storage.UsedToken{}, expired...), kept...) {
		wantErr(t, "UseToken", s.UseToken(ctx, tok), nil)
	}

	n, err := s.PurgeTokens(ctx, base)
	wantErr(t, "PurgeTokens", err, nil)
	if n != len(expired) {
		t.Errorf("PurgeTokens = %d, want %d", n, len(expired))
	}
	for _, tok := range kept {
		wantTokenUsed(t, s, tok)
	}
	for _, tok := range expired {
		// Purged: the ID is free again (the token itself is past its exp,
		// so the authority rejects it before it gets here).
		wantTokenFree(t, s, tok)
	}
	// Those just re-used are expired again; nothing else is.
	n, err = s.PurgeTokens(ctx, base)
	wantErr(t, "PurgeTokens(again)", err, nil)
	if n != len(expired) {
		t.Errorf("PurgeTokens(again) = %d, want %d", n, len(expired))
	}
	n, err = s.PurgeTokens(ctx, base)
	wantErr(t, "PurgeTokens(third)", err, nil)
	if n != 0 {
		t.Errorf("PurgeTokens(third) = %d, want 0", n)
	}
}

// tokPurgeAllOperations: tokens consumed by RecordIssuance and Revoke are
// purged like those of UseToken, and purging touches nothing else.
func tokPurgeAllOperations(t *testing.T, s storage.Store) {
	ctx := context.Background()
	past := base.Add(-time.Hour)
	cert := newCert(t)
	mustRecord(t, s, cert, ptr(newToken(t, past)))
	rev := newRevocation(cert.Serial)
	wantErr(t, "Revoke", s.Revoke(ctx, rev, ptr(newToken(t, past))), nil)
	wantErr(t, "UseToken", s.UseToken(ctx, newToken(t, past)), nil)

	n, err := s.PurgeTokens(ctx, base)
	wantErr(t, "PurgeTokens", err, nil)
	if n != 3 {
		t.Errorf("PurgeTokens = %d, want 3", n)
	}
	got, err := s.Certificate(ctx, cert.Serial)
	wantErr(t, "Certificate(after purge)", err, nil)
	checkCertificate(t, got, cert)
	gotRev, err := s.Revocation(ctx, cert.Serial)
	wantErr(t, "Revocation(after purge)", err, nil)
	checkRevocation(t, gotRev, rev)
}

func tokPurgeEmpty(t *testing.T, s storage.Store) {
	n, err := s.PurgeTokens(context.Background(), base)
	wantErr(t, "PurgeTokens", err, nil)
	if n != 0 {
		t.Errorf("PurgeTokens = %d, want 0", n)
	}
}
