package provisioner

// verifyFunc proves a parsed token's signature with a provisioner's key(s).
type verifyFunc func(t *parsedToken) error

// authorizeToken is the one path every provisioner token takes, in order:
// parse, prove the signature (nothing unauthenticated is judged before),
// then issuer, audience for op (with the provisioner's fragment, if it is a
// fragmented type), the validity window, and the subject.
func (b *base) authorizeToken(token string, op Operation, fragment string, verify verifyFunc) (*parsedToken, Token, error) {
	if !b.declares(op) {
		return nil, Token{}, b.refuse(op)
	}
	t, err := parseToken(token)
	if err != nil {
		return nil, Token{}, err
	}
	tok, err := b.authorizeParsed(t, op, fragment, verify)
	if err != nil {
		return nil, Token{}, err
	}
	return t, tok, nil
}

// authorizeParsed is authorizeToken after the parse, for a token the
// Collection has parsed already; it repeats the op check so that both
// entries refuse an undeclared op first.
func (b *base) authorizeParsed(t *parsedToken, op Operation, fragment string, verify verifyFunc) (Token, error) {
	if !b.declares(op) {
		return Token{}, b.refuse(op)
	}
	if err := verify(t); err != nil {
		return Token{}, err
	}
	c := &t.claims
	if c.Issuer != b.name {
		return Token{}, invalidToken("issuer %q is not provisioner %q", c.Issuer, b.name)
	}
	if !b.audienceMatches(op, c.Audience, fragment) {
		return Token{}, invalidToken("audience not accepted for %s", op)
	}
	if err := c.checkTimes(b.env.timeRules()); err != nil {
		return Token{}, err
	}
	if c.Subject == "" {
		return Token{}, invalidToken(`claim "sub" is empty`)
	}
	return b.tokenIdentity(t), nil
}

// audienceMatches reports whether any of the token's audiences is one of
// the CA's for op.
func (b *base) audienceMatches(op Operation, auds []string, fragment string) bool {
	for _, a := range auds {
		if b.env.audiences.Match(op, a, fragment) {
			return true
		}
	}
	return false
}

// tokenIdentity is the replay key and claims of a verified token: jti in the
// provisioner's namespace, so that two provisioners' jti never collide, or
// the token hash when there is no jti.
func (b *base) tokenIdentity(t *parsedToken) Token {
	id := t.hash()
	if t.claims.ID != "" {
		id = b.id + "#" + t.claims.ID
	}
	return Token{ID: id, ExpiresAt: t.claims.Expiry, Claims: t.claims.All}
}

// signAuthorization is what a verified sign token carries, for any type.
func (b *base) signAuthorization(p Provisioner, t *parsedToken, tok Token) *SignAuthorization {
	sans := t.claims.SANs
	if len(sans) == 0 {
		sans = []string{t.claims.Subject}
	}
	return &SignAuthorization{
		Provisioner: p,
		Token:       tok,
		Subject:     t.claims.Subject,
		SANs:        sans,
		CNF:         t.claims.CNF,
	}
}
