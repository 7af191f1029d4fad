package storagetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stride-pki/stride/internal/storage"
)

// runContext: a call whose context is already done writes nothing.
func runContext(t *testing.T, o opener) {
	o.subtests(t, []namedCase{
		{"CancelledWritesNothing", ctxCancelled},
	})
}

func ctxCancelled(t *testing.T, s storage.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	cert, tok := newCert(t), newToken(t, base.Add(time.Hour))
	if err := s.RecordIssuance(ctx, cert, &tok); !errors.Is(err, context.Canceled) {
		t.Fatalf("RecordIssuance(cancelled) = %v, want context.Canceled", err)
	}
	rev := newRevocation(cert.Serial)
	if err := s.Revoke(ctx, rev, &tok); !errors.Is(err, context.Canceled) {
		t.Fatalf("Revoke(cancelled) = %v, want context.Canceled", err)
	}
	if err := s.UseToken(ctx, tok); !errors.Is(err, context.Canceled) {
		t.Fatalf("UseToken(cancelled) = %v, want context.Canceled", err)
	}
	wantNoCertificate(t, s, cert.Serial)
	wantNoRevocation(t, s, rev.Serial)
	wantTokenFree(t, s, tok)
}
