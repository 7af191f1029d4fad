package provisioner

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/stride-pki/stride/internal/caerr"
	"github.com/stride-pki/stride/internal/config"
	"github.com/stride-pki/stride/internal/template"
)

// DefaultMaxTokenLifetime caps exp minus nbf of one-time tokens when Options
// leave it unset: the step CLI mints at most one hour.
const DefaultMaxTokenLifetime = time.Hour

// Options configure a Collection; they come from ca.json and the process.
type Options struct {
	// DNSNames are the CA's names (ca.json dnsNames): token audiences.
	DNSNames []string
	// AuthorityClaims are authority.claims, under each provisioner's own.
	AuthorityClaims *config.Claims
	// StartTime is when this CA (re)started: tokens issued earlier are
	// refused unless DisableIssuedAtCheck, because the replay record of an
	// in-memory store did not survive the restart. While the check is on,
	// tokens must carry iat. A zero StartTime disables the check.
	StartTime            time.Time
	DisableIssuedAtCheck bool
	// MaxTokenLifetime caps exp minus nbf; 0 means DefaultMaxTokenLifetime,
	// a negative value no cap.
	MaxTokenLifetime time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Collection is the CA's set of provisioners, in ca.json order, with the
// indexes token lookup and renewal need. It is immutable and safe for
// concurrent use; a reload builds a new one.
type Collection struct {
	env       *env
	all       []Provisioner
	byName    map[string]Provisioner
	byID      map[string]Provisioner
	byTokenID map[string]Provisioner // only types that verify tokens
	encKeys   map[string]string      // JWK kid -> encryptedKey
}

// NewCollection builds the provisioners of provs. JWK and X5C verify
// tokens; the other types step knows are kept for listing and renewal but
// refuse tokens; types step does not know are skipped, as step-ca does.
// Names and IDs must be unique.
func NewCollection(provs []config.Provisioner, opts Options) (*Collection, error) {
	e := &env{
		audiences:       NewAudiences(opts.DNSNames),
		now:             opts.Now,
		startTime:       opts.StartTime,
		disableIATCheck: opts.DisableIssuedAtCheck,
		maxLifetime:     opts.MaxTokenLifetime,
	}
	if e.now == nil {
		e.now = time.Now
	}
	if e.maxLifetime == 0 {
		e.maxLifetime = DefaultMaxTokenLifetime
	}
	c := &Collection{
		env: e, byName: map[string]Provisioner{}, byID: map[string]Provisioner{},
		byTokenID: map[string]Provisioner{}, encKeys: map[string]string{},
	}
	for i, cfg := range provs {
		if _, known := config.CanonicalProvisionerType(cfg.Type()); !known {
			continue
		}
		p, err := build(cfg, opts.AuthorityClaims, e)
		if err != nil {
			return nil, fmt.Errorf("provisioner %d (%q): %w", i, cfg.Name(), err)
		}
		if err := c.add(p); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (c *Collection) add(p Provisioner) error {
	if _, dup := c.byName[p.Name()]; dup {
		return fmt.Errorf("duplicate provisioner name %q", p.Name())
	}
	if _, dup := c.byID[p.ID()]; dup {
		return fmt.Errorf("duplicate provisioner id %q (provisioner %q)", p.ID(), p.Name())
	}
	c.all = append(c.all, p)
	c.byName[p.Name()] = p
	c.byID[p.ID()] = p
	switch p := p.(type) {
	case *jwkProvisioner:
		c.byTokenID[p.id] = p
		if _, seen := c.encKeys[p.kid]; !seen && p.encryptedKey != "" {
			c.encKeys[p.kid] = p.encryptedKey
		}
	case *x5cProvisioner:
		c.byTokenID[p.id] = p
	}
	return nil
}

// build decodes what all types share and constructs the type's provisioner.
func build(cfg config.Provisioner, authority *config.Claims, e *env) (Provisioner, error) {
	common, err := cfg.Common()
	if err != nil {
		return nil, err
	}
	if common.Name == "" {
		return nil, fmt.Errorf("missing name")
	}
	claims, err := config.MergeClaims(authority, common.Claims)
	if err != nil {
		return nil, err
	}
	var pol struct {
		Policy json.RawMessage `json:"policy"`
	}
	if err := cfg.Decode(&pol); err != nil {
		return nil, err
	}
	b := base{name: common.Name, typ: cfg.Type(), claims: claims, policy: pol.Policy, cfg: cfg, env: e}
	if common.Options != nil {
		b.x509 = common.Options.X509
	}
	switch b.typ {
	case config.ProvisionerJWK:
		return newJWK(b)
	case config.ProvisionerX5C:
		return newX5C(b)
	}
	b.id, err = listedTokenID(b.typ, b.name, cfg)
	return &listed{base: b}, err
}

// listedTokenID is step's token ID of the types Stride only lists (§4):
// OIDC by client ID, Azure by tenant, one K8sSA, the rest "<type>/<name>".
func listedTokenID(typ, name string, cfg config.Provisioner) (string, error) {
	var f struct {
		ClientID string `json:"clientID"`
		TenantID string `json:"tenantID"`
	}
	if err := cfg.Decode(&f); err != nil {
		return "", err
	}
	switch {
	case typ == config.ProvisionerOIDC && f.ClientID != "":
		return f.ClientID, nil
	case typ == config.ProvisionerAzure && f.TenantID != "":
		return f.TenantID, nil
	case typ == config.ProvisionerK8sSA:
		return "k8ssa/k8sSA-default", nil
	}
	return strings.ToLower(typ) + "/" + name, nil
}

// Lookup finds the provisioner a token is for, from its UNVERIFIED claims
// (reference §2.1): an aud that is one of this CA's audiences routes by its
// fragment (a token ID, e.g. "x5c/<name>") or, without one, by
// "<iss>:<header kid>" (JWK). The provisioner found has proved nothing yet:
// the caller must call its Authorize method, which verifies the token in
// full (security.md rule 2). Provisioners that cannot verify tokens are
// never returned.
func (c *Collection) Lookup(token string) (Provisioner, error) {
	t, err := peekToken(token)
	if err != nil {
		return nil, err
	}
	if p := c.route(t.kid, t.issuer, t.audiences); p != nil {
		return p, nil
	}
	return nil, caerr.Unauthorizedf("provisioner not found or invalid audience")
}

// route picks the token-verifying provisioner for a token's (unverified)
// header kid, iss and aud, or nil.
func (c *Collection) route(kid, issuer string, audiences []string) Provisioner {
	for _, aud := range audiences {
		fragment, ok := c.env.audiences.matchAny(aud)
		if !ok {
			continue
		}
		id := fragment
		if id == "" {
			id = issuer + ":" + kid
		}
		if p, ok := c.byTokenID[id]; ok {
			return p
		}
	}
	return nil
}

// parsedSigner is a provisioner that can authorize a sign token parsed once
// by the Collection.
type parsedSigner interface {
	authorizeSignParsed(t *parsedToken) (*SignAuthorization, error)
}

// AuthorizeSign is Lookup followed by the provisioner's AuthorizeSign, with
// the token parsed once instead of peeked, parsed, and parsed again. The
// fast path is taken only when its answer cannot differ from the two-step
// one: the strict parse succeeded (the provisioner's own parse would give
// the same token), no member differs from kid/iss/aud by letter case alone
// (which the peek would read), and the strict claims route to a provisioner
// (the peek, reading the same members, would route to it too). Anything
// else, every error included, takes the two-step path, so errors are
// unchanged.
func (c *Collection) AuthorizeSign(ctx context.Context, token string) (*SignAuthorization, error) {
	if t, err := parseToken(token); err == nil && !t.header.oddCase && !t.claims.oddCase {
		if p, ok := c.route(t.header.Kid, t.claims.Issuer, t.claims.Audience).(parsedSigner); ok {
			return p.authorizeSignParsed(t)
		}
	}
	p, err := c.Lookup(token)
	if err != nil {
		return nil, err
	}
	return p.AuthorizeSign(ctx, token)
}

// ByName returns the provisioner called name.
func (c *Collection) ByName(name string) (Provisioner, bool) {
	p, ok := c.byName[name]
	return p, ok
}

// ByID returns the provisioner whose ID (token ID) is id.
func (c *Collection) ByID(id string) (Provisioner, bool) {
	p, ok := c.byID[id]
	return p, ok
}

// ForCertificate returns the provisioner named in cert's provisioner-ID
// extension (reference §4.1), and false when cert has none, it does not
// parse, no provisioner has that name, or the one that does is of another
// type than the extension says (the name was reused for something else).
func (c *Collection) ForCertificate(cert *x509.Certificate) (Provisioner, bool) {
	ext, ok, err := template.FindProvisionerExtension(cert)
	if !ok || err != nil {
		return nil, false
	}
	p, ok := c.byName[ext.Name]
	if !ok || typeNumber(p.Type()) != ext.Type {
		return nil, false
	}
	return p, true
}

// typeNumber is the provisioner type's number in the provisioner extension.
func typeNumber(typ string) template.ProvisionerType {
	for i, t := range []string{
		config.ProvisionerJWK, config.ProvisionerOIDC, config.ProvisionerGCP, config.ProvisionerAWS,
		config.ProvisionerAzure, config.ProvisionerACME, config.ProvisionerX5C, config.ProvisionerK8sSA,
		config.ProvisionerSSHPOP, config.ProvisionerSCEP, config.ProvisionerNebula,
	} {
		if t == typ {
			return template.ProvisionerType(i + 1)
		}
	}
	return 0
}

// EncryptedKey returns the encrypted private key of the JWK provisioner
// whose key ID is kid (GET /provisioners/{kid}/encrypted-key). Should two
// provisioners share a key, the first in ca.json answers.
func (c *Collection) EncryptedKey(kid string) (string, bool) {
	k, ok := c.encKeys[kid]
	return k, ok
}

// All returns every provisioner, in ca.json order.
func (c *Collection) All() []Provisioner {
	return append([]Provisioner(nil), c.all...)
}

// Audiences returns the audiences tokens are checked against.
func (c *Collection) Audiences() Audiences { return c.env.audiences }
