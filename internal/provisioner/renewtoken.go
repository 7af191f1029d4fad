package provisioner

import (
	"crypto/x509"
	"time"

	"github.com/stride-pki/stride/internal/caerr"
)

// renewTokenMaxLifetime caps a renew token: step mints them for 5 minutes.
const renewTokenMaxLifetime = time.Hour

// VerifyRenewToken verifies the token `step ca renew` sends as a Bearer when
// it cannot use mTLS (reference §2.8) and returns the certificate to renew.
//
// The header "x5cInsecure" carries the certificate and its chain; the chain
// must lead to roots, but the leaf may have expired, since renewing an
// expired certificate is the point (whether that is allowed is the
// provisioner's AuthorizeRenew decision). The chain is therefore verified at
// now clamped into the leaf's validity: at now while the leaf is valid, at
// its NotAfter once it has expired (so the chain must have been valid then),
// and a leaf that is not yet valid is refused. The token must be signed by
// the leaf's key, its sub must be the leaf's CN, its aud a renew audience
// (ports ignored), and nbf/iat/exp hold with a minute of skew. iss is not
// checked (step sends "step-ca-client/1.0" or a provisioner name). The
// replay key is the token hash: these tokens have no jti.
func VerifyRenewToken(token string, roots, intermediates *x509.CertPool, aud Audiences, now time.Time) (*x509.Certificate, Token, error) {
	t, err := parseToken(token)
	if err != nil {
		return nil, Token{}, err
	}
	leaf, err := verifyRenewChain(t, roots, intermediates, now)
	if err != nil {
		return nil, Token{}, err
	}
	algs, err := keyAlgorithms(leaf.PublicKey)
	if err != nil {
		return nil, Token{}, caerr.Wrap(caerr.Unauthorized, err, "invalid token: the certificate key cannot sign tokens")
	}
	if err := t.verify(leaf.PublicKey, algs); err != nil {
		return nil, Token{}, err
	}
	c := &t.claims
	if c.Subject != leaf.Subject.CommonName {
		return nil, Token{}, invalidToken("subject %q is not the certificate's common name", c.Subject)
	}
	matched := false
	for _, a := range c.Audience {
		matched = matched || aud.Match(OpRenew, a, "")
	}
	if !matched {
		return nil, Token{}, invalidToken("audience not accepted for %s", OpRenew)
	}
	rules := timeRules{Now: now, Leeway: tokenLeeway, MaxLifetime: renewTokenMaxLifetime}
	if err := c.checkTimes(rules); err != nil {
		return nil, Token{}, err
	}
	return leaf, Token{ID: t.hash(), ExpiresAt: c.Expiry, Claims: c.All}, nil
}

// verifyRenewChain verifies the x5cInsecure chain as VerifyRenewToken says.
// Any extended key usage is accepted: the certificates renewed are mostly
// TLS server certificates.
func verifyRenewChain(t *parsedToken, roots, intermediates *x509.CertPool, now time.Time) (*x509.Certificate, error) {
	// A nil pool would make x509 fall back to the system roots.
	if roots == nil {
		return nil, caerr.Unauthorizedf("invalid token: the CA has no roots to verify the certificate")
	}
	certs, err := parseChain(t.header.X5CInsecure, "x5cInsecure")
	if err != nil {
		return nil, err
	}
	leaf := certs[0]
	if now.Before(leaf.NotBefore) {
		return nil, invalidToken("the certificate is not yet valid")
	}
	at := now
	if at.After(leaf.NotAfter) {
		at = leaf.NotAfter
	}
	inter := x509.NewCertPool()
	if intermediates != nil {
		inter = intermediates.Clone()
	}
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	opts := x509.VerifyOptions{
		Roots: roots, Intermediates: inter, CurrentTime: at,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	}
	if _, err := leaf.Verify(opts); err != nil {
		return nil, caerr.Wrap(caerr.Unauthorized, err, "invalid token: the certificate was not issued by this CA")
	}
	return leaf, nil
}
