package acme

import (
	"crypto/rand"
	"encoding/base64"
)

// newID returns an unpredictable, URL-safe identifier with 128 bits of
// entropy: object URLs must not be guessable (RFC 8555 §10), and challenge
// tokens need at least 128 bits (§8.1).
func newID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("acme: the system's random source failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}
