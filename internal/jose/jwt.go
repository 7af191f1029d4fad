package jose

import (
	"crypto"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	gojose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// Signature algorithms accepted when verifying; `none` and HMAC with
// asymmetric keys are never accepted (RFC 8725 §3.1).
var signatureAlgs = []gojose.SignatureAlgorithm{
	gojose.ES256, gojose.ES384, gojose.ES512, gojose.EdDSA,
	gojose.RS256, gojose.RS384, gojose.RS512, gojose.PS256, gojose.PS384, gojose.PS512,
	gojose.HS256, gojose.HS384, gojose.HS512,
}

// SignJWT signs claims into a compact JWT with header typ "JWT", the key's
// kid, and any extra protected headers (x5c, sshpop …).
func SignJWT(key *JSONWebKey, claims any, extra map[string]any) (string, error) {
	alg := key.Algorithm
	if alg == "" {
		signer, err := Signer(key)
		if err != nil {
			return "", err
		}
		if alg, err = SignatureAlgorithm(signer.Public()); err != nil {
			return "", err
		}
	}
	opts := (&gojose.SignerOptions{}).WithType("JWT")
	if key.KeyID != "" {
		opts = opts.WithHeader("kid", key.KeyID)
	}
	for k, v := range extra {
		opts = opts.WithHeader(gojose.HeaderKey(k), v)
	}
	s, err := gojose.NewSigner(gojose.SigningKey{Algorithm: gojose.SignatureAlgorithm(alg), Key: key.Key}, opts)
	if err != nil {
		return "", fmt.Errorf("creating signer: %w", err)
	}
	return jwt.Signed(s).Claims(claims).Serialize()
}

// Expected are the registered claims VerifyJWT checks when set.
type Expected struct {
	Issuer   string
	Subject  string
	Audience []string // any of them
	Time     time.Time
	Leeway   time.Duration
}

// VerifyJWT checks the signature of token with key (a public JWK, a
// crypto.PublicKey or an HMAC secret), then the registered claims against
// exp, and returns the header and the claims as JSON objects.
func VerifyJWT(token string, key any, exp Expected) (map[string]any, map[string]any, error) {
	tok, err := jwt.ParseSigned(strings.TrimSpace(token), signatureAlgs)
	if err != nil {
		return nil, nil, fmt.Errorf("not a JWT: %w", err)
	}
	var std jwt.Claims
	var all map[string]any
	if err := tok.Claims(key, &std, &all); err != nil {
		return nil, nil, errors.New("the JWT's signature does not verify with the given key")
	}
	if exp.Time.IsZero() {
		exp.Time = time.Now()
	}
	want := jwt.Expected{Issuer: exp.Issuer, Subject: exp.Subject, AnyAudience: exp.Audience, Time: exp.Time}
	if err := std.ValidateWithLeeway(want, exp.Leeway); err != nil {
		return nil, nil, fmt.Errorf("invalid JWT claims: %w", err)
	}
	return headerMap(tok.Headers[0]), all, nil
}

// InspectJWT decodes a compact JWT's header and payload without verifying
// anything; `stride crypto jwt inspect --insecure` prints them.
func InspectJWT(token string) (header, payload json.RawMessage, signature string, err error) {
	parts := strings.Split(strings.TrimSpace(token), ".")
	if len(parts) != 3 {
		return nil, nil, "", errors.New("not a compact JWT: want three dot-separated parts")
	}
	h, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil || !json.Valid(h) {
		return nil, nil, "", errors.New("the JWT header is not base64url JSON")
	}
	p, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil || !json.Valid(p) {
		return nil, nil, "", errors.New("the JWT payload is not base64url JSON")
	}
	return h, p, parts[2], nil
}

func headerMap(h gojose.Header) map[string]any {
	m := map[string]any{"alg": h.Algorithm}
	if h.KeyID != "" {
		m["kid"] = h.KeyID
	}
	for k, v := range h.ExtraHeaders {
		m[string(k)] = v
	}
	return m
}

// PublicKeyOf returns the public key a JWK or signer carries.
func PublicKeyOf(k any) (crypto.PublicKey, error) {
	switch k := k.(type) {
	case *JSONWebKey:
		return k.Public().Key, nil
	case crypto.Signer:
		return k.Public(), nil
	}
	return nil, fmt.Errorf("no public key in %T", k)
}
