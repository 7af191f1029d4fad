package acme

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"time"

	"github.com/stride-pki/stride/internal/storage"
)

// NonceLifetime is how long an issued nonce may be redeemed. Clients fetch
// a nonce right before they sign, so an hour is generous; the bound keeps
// the table of redeemed nonces small (rows are purged after it).
const NonceLifetime = time.Hour

// nonceIDPrefix names redeemed nonces among the one-time tokens.
const nonceIDPrefix = "acme-nonce:"

const (
	nonceTimeLen = 8
	nonceRandLen = 12
	nonceMACLen  = 16
)

// Nonces issues Replay-Nonces without storage and redeems each once.
// A nonce is base64url(issued-at ‖ random ‖ HMAC): any replica holding the
// same key can check it, and redemption is one insert into the one-time
// token table, which conflicts on reuse (design: one write per request).
type Nonces struct {
	key    []byte
	tokens storage.Tokens
	now    func() time.Time
}

// NewNonces returns a nonce source keyed with key (at least 32 bytes;
// replicas serving one CA must share it).
func NewNonces(key []byte, tokens storage.Tokens, now func() time.Time) (*Nonces, error) {
	if len(key) < 32 {
		return nil, errors.New("acme: the nonce key must have at least 32 bytes")
	}
	if now == nil {
		now = time.Now
	}
	return &Nonces{key: key, tokens: tokens, now: now}, nil
}

// New issues a fresh nonce.
func (n *Nonces) New() string {
	b := make([]byte, nonceTimeLen+nonceRandLen, nonceTimeLen+nonceRandLen+nonceMACLen)
	binary.BigEndian.PutUint64(b, uint64(n.now().Unix()))
	if _, err := rand.Read(b[nonceTimeLen:]); err != nil {
		panic("acme: the system's random source failed: " + err.Error())
	}
	b = append(b, n.mac(b)...)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (n *Nonces) mac(b []byte) []byte {
	m := hmac.New(sha256.New, n.key)
	m.Write(b)
	return m.Sum(nil)[:nonceMACLen]
}

// Redeem consumes nonce: a badNonce Problem when it is not one of ours,
// expired, or used before.
func (n *Nonces) Redeem(ctx context.Context, nonce string) error {
	issued, ok := n.check(nonce)
	if !ok {
		return problemf(ProbBadNonce, "the nonce is not valid")
	}
	now := n.now()
	expires := issued.Add(NonceLifetime)
	if now.After(expires) || issued.After(now.Add(time.Minute)) {
		return problemf(ProbBadNonce, "the nonce has expired")
	}
	err := n.tokens.UseToken(ctx, storage.UsedToken{ID: nonceIDPrefix + nonce, ExpiresAt: expires})
	switch {
	case errors.Is(err, storage.ErrTokenUsed):
		return problemf(ProbBadNonce, "the nonce was used before")
	case err != nil:
		return internal(err, "to redeem the nonce")
	}
	return nil
}

// check verifies nonce's MAC and returns when it was issued.
func (n *Nonces) check(nonce string) (time.Time, bool) {
	b, err := base64.RawURLEncoding.DecodeString(nonce)
	if err != nil || len(b) != nonceTimeLen+nonceRandLen+nonceMACLen {
		return time.Time{}, false
	}
	body, sum := b[:nonceTimeLen+nonceRandLen], b[nonceTimeLen+nonceRandLen:]
	if !hmac.Equal(sum, n.mac(body)) {
		return time.Time{}, false
	}
	return time.Unix(int64(binary.BigEndian.Uint64(body)), 0), true
}
