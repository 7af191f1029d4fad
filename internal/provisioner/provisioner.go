// Package provisioner verifies the credentials that authorize certificate
// operations: one-time tokens of JWK and X5C provisioners (and, later, OIDC,
// ACME, SSHPOP, K8sSA, SCEP …), and the x5c renew token. Each type declares
// the operations it supports (base.go); every other (type × operation) is
// refused (deny by default, security.md rule 1). It knows nothing of HTTP
// and of storage: replay protection is the caller's, keyed by Token.ID.
//
// A request flows: Collection.Lookup(token) picks a provisioner from the
// token's unverified claims, then that provisioner's Authorize method
// verifies everything (signature first) before anything is trusted.
// Collection.AuthorizeSign does both for /sign with one parse of the token.
package provisioner

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"time"

	"github.com/stride-pki/stride/internal/config"
)

// Operation is something a token can authorize.
type Operation string

// The operations of the CA API; audiences differ per operation.
const (
	OpSign      Operation = "sign"
	OpRenew     Operation = "renew"
	OpRevoke    Operation = "revoke"
	OpSSHSign   Operation = "ssh/sign"
	OpSSHRenew  Operation = "ssh/renew"
	OpSSHRekey  Operation = "ssh/rekey"
	OpSSHRevoke Operation = "ssh/revoke"
)

// Provisioner is one configured provisioner. Implementations are immutable
// after construction and safe for concurrent use.
type Provisioner interface {
	// ID is the token ID step uses to find it: "<name>:<kid>" (JWK),
	// "x5c/<name>" (X5C), "acme/<name>", the OIDC client ID … (reference §4).
	// IDs are unique within a Collection.
	ID() string
	Name() string
	// Type is step's type name: "JWK", "X5C", …
	Type() string
	// Claims are the merged (defaults ⊕ authority ⊕ provisioner) claims.
	Claims() config.EffectiveClaims
	// Options are the provisioner's X.509 template options, if any.
	X509Options() *config.TemplateOptions
	// Policy is the provisioner's own policy ("policy" in its JSON), or nil.
	Policy() json.RawMessage
	// Config is the provisioner's ca.json object, as listed by /provisioners.
	Config() config.Provisioner

	// AuthorizeSign verifies a one-time token for /sign. Errors are
	// caerr values: Unauthorized for any token problem.
	AuthorizeSign(ctx context.Context, token string) (*SignAuthorization, error)
	// AuthorizeRevoke verifies a one-time token for /revoke.
	AuthorizeRevoke(ctx context.Context, token string) (*RevokeAuthorization, error)
	// AuthorizeRenew decides whether cert, issued by this provisioner, may be
	// renewed (disableRenewal, not before, expiry and allowRenewalAfterExpiry).
	AuthorizeRenew(ctx context.Context, cert *x509.Certificate) error
}

// SignAuthorization is what a verified sign token allows.
type SignAuthorization struct {
	Provisioner Provisioner
	Token       Token
	// Subject is the token's sub: the CSR's CN, if any, must be it or one of SANs.
	Subject string
	// SANs are the names the certificate gets (the token's "sans", or [sub]).
	SANs []string
	// CNF, when set, is the base64url SHA-256 of the CSR DER the token is bound to.
	CNF string
	// X5C: the verified client certificate and its chain (template data).
	AuthorizationCrt   *x509.Certificate
	AuthorizationChain []*x509.Certificate
}

// RevokeAuthorization is what a verified revoke token allows.
type RevokeAuthorization struct {
	Provisioner Provisioner
	Token       Token
	// Serial is the token's sub: the only serial it may revoke (decimal).
	Serial string
}

// Token is a verified token's identity and claims.
type Token struct {
	// ID is the replay key: "<provisioner ID>#<jti>", or the lower-hex
	// SHA-256 of the token's signing input when it has no jti (renew tokens).
	ID        string
	ExpiresAt time.Time
	// Claims are all the token's claims, for templates (.Token).
	Claims map[string]any
}
