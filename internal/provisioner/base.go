package provisioner

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"time"

	"github.com/stride-pki/stride/internal/caerr"
	"github.com/stride-pki/stride/internal/config"
)

// declared lists, per provisioner type, the operations it authorizes. Any
// (type × operation) pair not listed is refused by base (deny by default,
// security.md rule 1), so a type gains a flow only by being listed here AND
// overriding the method.
//
// Renewal is declared for every type because step-ca renews a certificate
// of any provisioner on the strength of the certificate itself (mTLS or an
// x5c renew token): AuthorizeRenew only applies the provisioner's claims.
var declared = map[string][]Operation{
	config.ProvisionerJWK:    {OpSign, OpRevoke, OpRenew},
	config.ProvisionerX5C:    {OpSign, OpRevoke, OpRenew},
	config.ProvisionerOIDC:   {OpRenew},
	config.ProvisionerGCP:    {OpRenew},
	config.ProvisionerAWS:    {OpRenew},
	config.ProvisionerAzure:  {OpRenew},
	config.ProvisionerACME:   {OpRenew},
	config.ProvisionerK8sSA:  {OpRenew},
	config.ProvisionerSSHPOP: {OpRenew},
	config.ProvisionerSCEP:   {OpRenew},
	config.ProvisionerNebula: {OpRenew},
}

// Declares reports whether provisioners of type typ authorize op at all.
func Declares(typ string, op Operation) bool {
	for _, o := range declared[typ] {
		if o == op {
			return true
		}
	}
	return false
}

// env is what every provisioner of one Collection shares: the CA's
// audiences and the token time rules.
type env struct {
	audiences       Audiences
	now             func() time.Time
	startTime       time.Time
	disableIATCheck bool
	maxLifetime     time.Duration
}

// timeRules returns the token time checks at the current time.
func (e *env) timeRules() timeRules {
	r := timeRules{Now: e.now(), Leeway: tokenLeeway, MaxLifetime: e.maxLifetime}
	if !e.disableIATCheck {
		// iat has whole seconds; a token minted in the second the CA
		// started must not be refused for the nanoseconds it lacks.
		r.NotIssuedBefore = e.startTime.Truncate(time.Second)
	}
	return r
}

// tokenLeeway is the clock skew tolerated on nbf, iat and exp, as step-ca.
const tokenLeeway = time.Minute

// base is the part every provisioner shares; it refuses every operation.
// Types embed it and override the methods of the operations they declare.
type base struct {
	id, name, typ string
	claims        config.EffectiveClaims
	x509          *config.TemplateOptions
	policy        json.RawMessage
	cfg           config.Provisioner
	env           *env
}

func (b *base) ID() string                           { return b.id }
func (b *base) Name() string                         { return b.name }
func (b *base) Type() string                         { return b.typ }
func (b *base) Claims() config.EffectiveClaims       { return b.claims }
func (b *base) X509Options() *config.TemplateOptions { return b.x509 }
func (b *base) Policy() json.RawMessage              { return b.policy }
func (b *base) Config() config.Provisioner           { return b.cfg }
func (b *base) refuse(op Operation) *caerr.Error     { return refuse(b.typ, b.name, op) }
func (b *base) declares(op Operation) bool           { return Declares(b.typ, op) }
func (b *base) AuthorizeSign(context.Context, string) (*SignAuthorization, error) {
	return nil, b.refuse(OpSign)
}

func (b *base) AuthorizeRevoke(context.Context, string) (*RevokeAuthorization, error) {
	return nil, b.refuse(OpRevoke)
}

// AuthorizeRenew applies the renewal claims to cert: disableRenewal, the
// certificate's validity window, and allowRenewalAfterExpiry. The caller has
// already proved that cert is the CA's and belongs to the requester.
func (b *base) AuthorizeRenew(_ context.Context, cert *x509.Certificate) error {
	if !b.declares(OpRenew) {
		return b.refuse(OpRenew)
	}
	if b.claims.DisableRenewal {
		return caerr.Unauthorizedf("renew is disabled for provisioner %q", b.name)
	}
	now := b.env.now()
	if now.Before(cert.NotBefore) {
		return caerr.Unauthorizedf("certificate is not yet valid (not before %s)", cert.NotBefore.UTC().Format(time.RFC3339))
	}
	if now.After(cert.NotAfter) && !b.claims.AllowRenewalAfterExpiry {
		return caerr.Unauthorizedf("certificate expired on %s", cert.NotAfter.UTC().Format(time.RFC3339))
	}
	return nil
}

// refuse is the deny-by-default error. It is 401 like step-ca's answer to a
// token the provisioner cannot take, and names the pair so an operator can
// tell a misrouted token from a bad one.
func refuse(typ, name string, op Operation) *caerr.Error {
	return caerr.Unauthorizedf("provisioner %q of type %s does not authorize %s", name, typ, op)
}

// listed is a provisioner of a type Stride keeps for listing (and claims-
// based renewal) but does not verify tokens for yet: ACME, OIDC, SSHPOP …
// It is never indexed for token lookup (security.md rule 2: a provisioner
// that cannot verify a token must not be reachable from the token path).
type listed struct{ base }

var _ Provisioner = (*listed)(nil)
