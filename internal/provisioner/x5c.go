package provisioner

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"

	"github.com/stride-pki/stride/internal/caerr"
)

// x5cProvisioner verifies tokens signed by the key of a client certificate
// that chains to the provisioner's roots; the chain travels in the "x5c"
// header (reference §2.3).
type x5cProvisioner struct {
	base
	roots *x509.CertPool
}

var _ Provisioner = (*x5cProvisioner)(nil)

// maxChainLength bounds the x5c header, which is attacker-supplied DER.
const maxChainLength = 8

func newX5C(b base) (*x5cProvisioner, error) {
	f, err := b.cfg.X5C()
	if err != nil {
		return nil, err
	}
	roots, n := x509.NewCertPool(), 0
	rest := f.Roots
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("roots: %w", err)
		}
		roots.AddCert(cert)
		n++
	}
	if n == 0 {
		return nil, fmt.Errorf("roots: no PEM certificate found")
	}
	b.id = "x5c/" + b.name
	return &x5cProvisioner{base: b, roots: roots}, nil
}

// x5cVerified carries the chain out of the verify step.
type x5cVerified struct {
	leaf  *x509.Certificate
	chain []*x509.Certificate
}

// verifier returns the signature check for one token: the chain must verify
// to the roots now, for client authentication, and the leaf must be allowed
// to sign (digitalSignature); the token is then proved with the leaf's key.
func (p *x5cProvisioner) verifier(out *x5cVerified) verifyFunc {
	return func(t *parsedToken) error {
		certs, err := parseChain(t.header.X5C, "x5c")
		if err != nil {
			return err
		}
		t.chainParsed = true
		leaf := certs[0]
		inter := x509.NewCertPool()
		for _, c := range certs[1:] {
			inter.AddCert(c)
		}
		opts := x509.VerifyOptions{
			Roots: p.roots, Intermediates: inter, CurrentTime: p.env.now(),
			KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		}
		if _, err := leaf.Verify(opts); err != nil {
			return caerr.Wrap(caerr.Unauthorized, err, "invalid token: the x5c certificate does not verify against the provisioner roots")
		}
		if leaf.KeyUsage&x509.KeyUsageDigitalSignature == 0 {
			return invalidToken("the x5c certificate lacks the digitalSignature key usage")
		}
		algs, err := keyAlgorithms(leaf.PublicKey)
		if err != nil {
			return caerr.Wrap(caerr.Unauthorized, err, "invalid token: the x5c certificate key cannot sign tokens")
		}
		if err := t.verify(leaf.PublicKey, algs); err != nil {
			return err
		}
		*out = x5cVerified{leaf: leaf, chain: certs}
		return nil
	}
}

// parseChain decodes a std-base64 DER chain header, leaf first.
func parseChain(enc []string, header string) ([]*x509.Certificate, error) {
	if len(enc) == 0 {
		return nil, invalidToken("header %q is missing", header)
	}
	if len(enc) > maxChainLength {
		return nil, invalidToken("header %q has more than %d certificates", header, maxChainLength)
	}
	certs := make([]*x509.Certificate, len(enc))
	for i, s := range enc {
		der, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, invalidToken("header %q: certificate %d is not base64", header, i)
		}
		if certs[i], err = x509.ParseCertificate(der); err != nil {
			return nil, caerr.Wrap(caerr.Unauthorized, err, "invalid token: header %q: certificate %d does not parse", header, i)
		}
	}
	return certs, nil
}

// AuthorizeSign verifies an X5C token for /sign; the audience must carry
// the fragment "#x5c/<name>".
func (p *x5cProvisioner) AuthorizeSign(_ context.Context, token string) (*SignAuthorization, error) {
	var v x5cVerified
	t, tok, err := p.authorizeToken(token, OpSign, p.id, p.verifier(&v))
	if err != nil {
		return nil, err
	}
	a := p.signAuthorization(p, t, tok)
	a.AuthorizationCrt, a.AuthorizationChain = v.leaf, v.chain
	return a, nil
}

// authorizeSignParsed is AuthorizeSign for a token Collection.AuthorizeSign
// has parsed already.
func (p *x5cProvisioner) authorizeSignParsed(t *parsedToken) (*SignAuthorization, error) {
	var v x5cVerified
	tok, err := p.authorizeParsed(t, OpSign, p.id, p.verifier(&v))
	if err != nil {
		return nil, err
	}
	a := p.signAuthorization(p, t, tok)
	a.AuthorizationCrt, a.AuthorizationChain = v.leaf, v.chain
	return a, nil
}

// AuthorizeRevoke verifies an X5C token for /revoke; sub is the serial.
func (p *x5cProvisioner) AuthorizeRevoke(_ context.Context, token string) (*RevokeAuthorization, error) {
	var v x5cVerified
	t, tok, err := p.authorizeToken(token, OpRevoke, p.id, p.verifier(&v))
	if err != nil {
		return nil, err
	}
	return &RevokeAuthorization{Provisioner: p, Token: tok, Serial: t.claims.Subject}, nil
}
