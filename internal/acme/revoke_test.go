package acme

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"testing"
	"time"

	"github.com/stride-pki/stride/internal/storage"
)

// TestRevoke: by the owning account or the certificate's key; strangers,
// bad reasons and a second revocation are refused.
func TestRevoke(t *testing.T) {
	e := newTestEnv(t, nil)
	e.runWorker()
	ctx := context.Background()
	owner, _ := e.account()
	stranger, strangerKey := e.account()
	issue := func() string {
		o := e.order(owner, "rev.example")
		e.validateAll(owner, o)
		o, err := e.svc.Finalize(ctx, e.prov, owner, o.ID, csr(t, "", "rev.example"))
		if err != nil {
			t.Fatal(err)
		}
		c, _ := e.store.Certificate(ctx, o.CertificateSerial)
		return base64.RawURLEncoding.EncodeToString(c.DER)
	}
	cert := issue()
	seven, eight, eleven, minus, one := 7, 8, 11, -1, 1
	tests := []struct {
		name string
		req  RevokeRequest
		acct *storage.ACMEAccount
		want ProblemType
	}{
		{"reason 7", RevokeRequest{Certificate: cert, Reason: &seven}, owner, ProbBadRevocationReason},
		{"reason 11", RevokeRequest{Certificate: cert, Reason: &eleven}, owner, ProbBadRevocationReason},
		{"reason 8 (removeFromCRL)", RevokeRequest{Certificate: cert, Reason: &eight}, owner, ProbBadRevocationReason},
		{"reason -1", RevokeRequest{Certificate: cert, Reason: &minus}, owner, ProbBadRevocationReason},
		{"stranger", RevokeRequest{Certificate: cert}, stranger, ProbUnauthorized},
		{"not base64", RevokeRequest{Certificate: "%%"}, owner, ProbMalformed},
		{"owner", RevokeRequest{Certificate: cert, Reason: &one}, owner, ""},
		{"twice", RevokeRequest{Certificate: cert}, owner, ProbAlreadyRevoked},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := e.svc.Revoke(ctx, e.prov, tc.req, tc.acct, nil)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantProblem(t, err, tc.want)
		})
	}
	// The certificate's own key may revoke it; another key may not.
	cert2 := issue()
	if err := e.svc.Revoke(ctx, e.prov, RevokeRequest{Certificate: cert2}, nil, strangerKey.Public()); err == nil {
		t.Fatal("a foreign key revoked the certificate")
	}
	der, _ := base64.RawURLEncoding.DecodeString(cert2)
	pub := certKey(t, der)
	if err := e.svc.Revoke(ctx, e.prov, RevokeRequest{Certificate: cert2}, nil, pub); err != nil {
		t.Fatal(err)
	}
}

// TestNonces: a nonce redeems once; forged, expired and reused ones are badNonce.
func TestNonces(t *testing.T) {
	e := newTestEnv(t, nil)
	ctx := context.Background()
	key := make([]byte, 32)
	rand.Read(key)
	now := time.Now()
	n, _ := NewNonces(key, e.store, func() time.Time { return now })
	good := n.New()
	if err := n.Redeem(ctx, good); err != nil {
		t.Fatal(err)
	}
	wantProblem(t, n.Redeem(ctx, good), ProbBadNonce)
	other, _ := NewNonces(append([]byte{1}, key[1:]...), e.store, func() time.Time { return now })
	wantProblem(t, n.Redeem(ctx, other.New()), ProbBadNonce)
	wantProblem(t, n.Redeem(ctx, "garbage"), ProbBadNonce)
	old := n.New()
	now = now.Add(NonceLifetime + time.Second)
	wantProblem(t, n.Redeem(ctx, old), ProbBadNonce)
}
