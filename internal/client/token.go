package client

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"github.com/stride-pki/stride/internal/jose"
)

// Token lifetimes, as step's CLI: 5 minutes by default, between 10 s and 1 h.
const (
	DefaultTokenLifetime = 5 * time.Minute
	MinTokenLifetime     = 10 * time.Second
	MaxTokenLifetime     = time.Hour
)

// Audience paths of one-time tokens (reference §2.1): tokens always name the
// /1.0/ form, while requests go to the un-prefixed paths.
const (
	AudienceSign   = "/1.0/sign"
	AudienceRevoke = "/1.0/revoke"
	AudienceRenew  = "/1.0/renew"
	AudienceRekey  = "/1.0/rekey"
)

// Audience joins a CA URL and an audience path: https://ca:9000/1.0/sign.
func Audience(caURL, path string) string {
	return strings.TrimRight(caURL, "/") + path
}

// JWKTokenOptions describe a JWK provisioner token.
type JWKTokenOptions struct {
	Provisioner string           // the provisioner's name: the token's iss
	Key         *jose.JSONWebKey // the provisioner's private key; its kid goes in the header
	Audience    string           // e.g. Audience(caURL, AudienceSign)
	RootSHA     string           // hex SHA-256 of the root: the sha claim
	SANs        []string         // the sans claim; nil leaves it out
	NotBefore   time.Time        // zero: now
	NotAfter    time.Time        // zero: NotBefore + 5 min
	Extra       map[string]any   // more claims (user, step, cnf …)
	Now         func() time.Time
}

// NewJWKToken mints the one-time token `step ca token` does: iss the
// provisioner name, sub, a single-string aud, nbf/iat now, exp 5 min later,
// jti 64 hex digits, sha, and sans for sign tokens.
func NewJWKToken(subject string, o JWKTokenOptions) (string, error) {
	if subject == "" {
		return "", errors.New("the token needs a subject")
	}
	if o.Key == nil || o.Provisioner == "" || o.Audience == "" {
		return "", errors.New("the token needs a provisioner name, its key and an audience")
	}
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	nbf, exp, err := tokenWindow(now().UTC(), o.NotBefore, o.NotAfter)
	if err != nil {
		return "", err
	}
	claims := map[string]any{}
	for k, v := range o.Extra {
		claims[k] = v
	}
	jti, err := randomHex(32)
	if err != nil {
		return "", err
	}
	claims["iss"], claims["sub"], claims["aud"] = o.Provisioner, subject, o.Audience
	claims["nbf"], claims["iat"], claims["exp"] = nbf.Unix(), now().Unix(), exp.Unix()
	claims["jti"] = jti
	if o.RootSHA != "" {
		claims["sha"] = NormalizeFingerprint(o.RootSHA)
	}
	if o.SANs != nil {
		claims["sans"] = o.SANs
	}
	return jose.SignJWT(o.Key, claims, nil)
}

// tokenWindow applies step's defaults and bounds to a token's validity.
func tokenWindow(now, nbf, exp time.Time) (time.Time, time.Time, error) {
	if nbf.IsZero() {
		nbf = now
	}
	if exp.IsZero() {
		exp = nbf.Add(DefaultTokenLifetime)
	}
	d := exp.Sub(nbf)
	switch {
	case nbf.After(now.Add(30 * time.Minute)):
		return nbf, exp, errors.New("the token cannot start more than 30 minutes from now")
	case d < MinTokenLifetime:
		return nbf, exp, errors.New("the token must be valid for at least 10 seconds")
	case d > MaxTokenLifetime:
		return nbf, exp, errors.New("the token cannot be valid for more than 1 hour")
	}
	return nbf, exp, nil
}

// RenewTokenIssuer is the iss of renew tokens step's CLI mints.
const RenewTokenIssuer = "step-ca-client/1.0"

// NewRenewToken mints the x5c renew token of reference §2.8, signed by the
// certificate's key: header x5cInsecure (the chain, std base64 DER), iss
// step-ca-client/1.0, sub the leaf's CN, aud <ca-url>/1.0/renew, 5 minutes.
func NewRenewToken(chain []*x509.Certificate, key crypto.Signer, caURL string, now time.Time) (string, error) {
	if len(chain) == 0 {
		return "", errors.New("no certificate to renew")
	}
	if now.IsZero() {
		now = time.Now()
	}
	x5c := make([]string, len(chain))
	for i, c := range chain {
		x5c[i] = base64.StdEncoding.EncodeToString(c.Raw)
	}
	claims := map[string]any{
		"iss": RenewTokenIssuer, "sub": chain[0].Subject.CommonName, "aud": Audience(caURL, AudienceRenew),
		"nbf": now.Unix(), "iat": now.Unix(), "exp": now.Add(DefaultTokenLifetime).Unix(),
	}
	jwk := &jose.JSONWebKey{Key: key}
	return jose.SignJWT(jwk, claims, map[string]any{"x5cInsecure": x5c})
}

func randomHex(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}
