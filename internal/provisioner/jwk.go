package provisioner

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"fmt"

	gojose "github.com/go-jose/go-jose/v4"

	"github.com/stride-pki/stride/internal/jose"
	"github.com/stride-pki/stride/internal/p256verify"
)

// jwkProvisioner verifies one-time tokens signed by the provisioner's key
// (reference §2.1), as `step ca token` mints them.
type jwkProvisioner struct {
	base
	kid          string
	pub          crypto.PublicKey
	algs         []gojose.SignatureAlgorithm
	encryptedKey string
	// p256 verifies ES256 tokens when pub is a P-256 key (nil otherwise):
	// every token of the provisioner is signed by this one key, so after a
	// few dozen tokens it verifies with a precomputed table (p256verify).
	p256 *p256verify.Key
}

var _ Provisioner = (*jwkProvisioner)(nil)

// newJWK builds a JWK provisioner. Its key must be public; the algorithms it
// accepts come from the key (narrowed to its "alg" when set); its kid is the
// configured one, or the RFC 7638 thumbprint when absent.
func newJWK(b base) (*jwkProvisioner, error) {
	f, err := b.cfg.JWK()
	if err != nil {
		return nil, err
	}
	if len(f.Key) == 0 {
		return nil, fmt.Errorf("missing key")
	}
	key, err := jose.ParseJWK(f.Key)
	if err != nil {
		return nil, fmt.Errorf("key: %w", err)
	}
	if !key.IsPublic() {
		return nil, fmt.Errorf("key must be a public key")
	}
	algs, err := keyAlgorithms(key.Key)
	if err == nil {
		algs, err = restrictAlgorithm(algs, key.Algorithm)
	}
	if err != nil {
		return nil, fmt.Errorf("key: %w", err)
	}
	kid := key.KeyID
	if kid == "" {
		if kid, err = jose.Thumbprint(key); err != nil {
			return nil, fmt.Errorf("key: %w", err)
		}
	}
	b.id = b.name + ":" + kid
	p := &jwkProvisioner{base: b, kid: kid, pub: key.Key, algs: algs, encryptedKey: f.EncryptedKey}
	if ec, ok := key.Key.(*ecdsa.PublicKey); ok {
		p.p256 = p256verify.New(ec)
	}
	return p, nil
}

// verify checks the kid before the signature: a token naming another key
// was not meant for this provisioner even if the bytes verify.
func (p *jwkProvisioner) verify(t *parsedToken) error {
	if t.header.Kid != p.kid {
		return invalidToken("key ID %q is not the provisioner's", t.header.Kid)
	}
	return t.verifyKey(p.pub, p.p256, p.algs)
}

// AuthorizeSign verifies a token for /sign: SANs default to [sub]; a cnf
// fingerprint, when present, binds the token to one CSR.
func (p *jwkProvisioner) AuthorizeSign(_ context.Context, token string) (*SignAuthorization, error) {
	t, tok, err := p.authorizeToken(token, OpSign, "", p.verify)
	if err != nil {
		return nil, err
	}
	return p.signAuthorization(p, t, tok), nil
}

// authorizeSignParsed is AuthorizeSign for a token Collection.AuthorizeSign
// has parsed already.
func (p *jwkProvisioner) authorizeSignParsed(t *parsedToken) (*SignAuthorization, error) {
	tok, err := p.authorizeParsed(t, OpSign, "", p.verify)
	if err != nil {
		return nil, err
	}
	return p.signAuthorization(p, t, tok), nil
}

// AuthorizeRevoke verifies a token for /revoke; its sub is the serial.
func (p *jwkProvisioner) AuthorizeRevoke(_ context.Context, token string) (*RevokeAuthorization, error) {
	t, tok, err := p.authorizeToken(token, OpRevoke, "", p.verify)
	if err != nil {
		return nil, err
	}
	return &RevokeAuthorization{Provisioner: p, Token: tok, Serial: t.claims.Subject}, nil
}

// KeyID is the provisioner key's kid: the credential ID written in the
// provisioner extension of the certificates it authorizes (§4.1).
func (p *jwkProvisioner) KeyID() string { return p.kid }
