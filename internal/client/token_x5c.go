package client

import (
	"crypto"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"time"

	"github.com/stride-pki/stride/internal/jose"
)

// X5CTokenOptions describe a token for an X5C provisioner (reference §2.3):
// it is signed by the key of a certificate that chains to the provisioner's
// roots, and carries that chain in the x5c header.
type X5CTokenOptions struct {
	Provisioner string              // the X5C provisioner's name: iss and the audience fragment
	Chain       []*x509.Certificate // leaf first, then intermediates
	Key         crypto.Signer       // the leaf's private key
	Audience    string              // without fragment, e.g. Audience(caURL, AudienceSign)
	RootSHA     string              // hex SHA-256 of the CA root: the sha claim (optional)
	SANs        []string            // the sans claim; nil leaves it out
	NotBefore   time.Time           // zero: now
	NotAfter    time.Time           // zero: NotBefore + 5 min
	Extra       map[string]any      // more claims (user …)
	Insecure    bool                // the chain goes in x5cInsecure instead of x5c (step's --x5c-insecure)
	Now         func() time.Time
}

// X5CAudience appends the provisioner fragment X5C tokens need:
// https://ca/1.0/sign#x5c/<name>.
func X5CAudience(audience, provisioner string) string {
	return audience + "#x5c/" + provisioner
}

// NewX5CToken mints the one-time token an X5C provisioner accepts: the
// claims of a JWK token (iss, sub, aud with the #x5c/<name> fragment,
// nbf/iat/exp, jti, sha, sans), signed by the leaf's key with the chain as
// std-base64 DER in the x5c header.
func NewX5CToken(subject string, o X5CTokenOptions) (string, error) {
	if subject == "" {
		return "", errors.New("the token needs a subject")
	}
	if o.Provisioner == "" || o.Audience == "" {
		return "", errors.New("the token needs a provisioner name and an audience")
	}
	if len(o.Chain) == 0 || o.Key == nil {
		return "", errors.New("the X5C token needs a certificate and its private key")
	}
	if !samePublicKey(o.Key.Public(), o.Chain[0].PublicKey) {
		return "", errors.New("the key is not the private key of the certificate")
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
	claims["iss"], claims["sub"], claims["aud"] = o.Provisioner, subject, X5CAudience(o.Audience, o.Provisioner)
	claims["nbf"], claims["iat"], claims["exp"] = nbf.Unix(), now().Unix(), exp.Unix()
	claims["jti"] = jti
	if o.RootSHA != "" {
		claims["sha"] = NormalizeFingerprint(o.RootSHA)
	}
	if o.SANs != nil {
		claims["sans"] = o.SANs
	}
	x5c := make([]string, len(o.Chain))
	for i, c := range o.Chain {
		x5c[i] = base64.StdEncoding.EncodeToString(c.Raw)
	}
	key, err := jose.NewJWK(o.Key)
	if err != nil {
		return "", err
	}
	header := "x5c"
	if o.Insecure {
		header = "x5cInsecure" // step's --x5c-insecure: the chain is sent but not meant to be verified for expiry
	}
	return jose.SignJWT(key, claims, map[string]any{header: x5c})
}

func samePublicKey(a, b crypto.PublicKey) bool {
	k, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && k.Equal(b)
}
