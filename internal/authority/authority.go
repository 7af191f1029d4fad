package authority

import (
	"context"
	"crypto"
	"crypto/x509"
	"fmt"
	"log/slog"
	"time"

	"github.com/stride-pki/stride/internal/caerr"
	"github.com/stride-pki/stride/internal/config"
	"github.com/stride-pki/stride/internal/policy"
	"github.com/stride-pki/stride/internal/provisioner"
	"github.com/stride-pki/stride/internal/storage"
	"github.com/stride-pki/stride/internal/template"
)

// Options are the collaborators of an Authority. The composition root
// (server) loads keys and opens storage; the authority only uses them.
type Options struct {
	Config         *config.CAConfig
	Roots          []*x509.Certificate
	FederatedRoots []*x509.Certificate
	// Intermediates is the crt bundle: the first certificate signs.
	Intermediates []*x509.Certificate
	// AlternateChains are ACME's alternate chains, each the certificates
	// after the leaf, the first a cross-certificate of Intermediates[0].
	AlternateChains [][]*x509.Certificate
	Signer          crypto.Signer
	Provisioners    *provisioner.Collection
	Store           storage.Store
	// BasePath resolves relative templateFile paths ($STRIDEPATH).
	BasePath string
	Now      func() time.Time
	Logger   *slog.Logger
}

// Authority is the X.509 CA core. It is immutable after New; a reload
// builds a new one.
type Authority struct {
	cfg           *config.CAConfig
	roots         []*x509.Certificate
	federated     []*x509.Certificate
	intermediates []*x509.Certificate
	alternates    [][]*x509.Certificate
	issuer        *x509.Certificate
	signer        crypto.Signer
	provs         *provisioner.Collection
	store         storage.Store
	policy        *policy.X509Policy
	provPolicies  map[string]*policy.X509Policy
	dnDefaults    template.DNDefaults
	backdate      time.Duration
	basePath      string
	now           func() time.Time
	log           *slog.Logger
	rootPool      *x509.CertPool
	interPool     *x509.CertPool
	templates     *templateCache
}

// New checks opts and builds an Authority.
func New(opts Options) (*Authority, error) {
	if opts.Config == nil || opts.Signer == nil || opts.Provisioners == nil || opts.Store == nil {
		return nil, fmt.Errorf("authority: config, signer, provisioners and store are required")
	}
	if len(opts.Roots) == 0 || len(opts.Intermediates) == 0 {
		return nil, fmt.Errorf("authority: a root and an intermediate are required")
	}
	a := &Authority{
		cfg: opts.Config, roots: opts.Roots, federated: opts.FederatedRoots,
		intermediates: opts.Intermediates, alternates: opts.AlternateChains, issuer: opts.Intermediates[0], signer: opts.Signer,
		provs: opts.Provisioners, store: opts.Store, basePath: opts.BasePath,
		now: opts.Now, log: opts.Logger, templates: newTemplateCache(),
	}
	if a.now == nil {
		a.now = time.Now
	}
	if a.log == nil {
		a.log = slog.Default()
	}
	if !publicKeysMatch(a.signer.Public(), a.issuer.PublicKey) {
		return nil, fmt.Errorf("authority: the intermediate key does not match the intermediate certificate %q", a.issuer.Subject.CommonName)
	}
	if err := checkAlternateChains(a.issuer, a.alternates); err != nil {
		return nil, err
	}
	auth := opts.Config.Authority
	if auth == nil {
		auth = &config.Authority{}
	}
	a.backdate = auth.BackdateOrDefault()
	if auth.Template != nil {
		a.dnDefaults = dnDefaults(auth.Template)
	}
	var err error
	if auth.Policy != nil && auth.Policy.X509 != nil {
		if a.policy, err = policy.NewX509Policy(auth.Policy.X509); err != nil {
			return nil, fmt.Errorf("authority.policy: %w", err)
		}
	}
	if a.provPolicies, err = provisionerPolicies(opts.Provisioners.All()); err != nil {
		return nil, err
	}
	a.rootPool, a.interPool = x509.NewCertPool(), x509.NewCertPool()
	for _, r := range a.roots {
		a.rootPool.AddCert(r)
	}
	for _, c := range a.intermediates {
		a.interPool.AddCert(c)
	}
	return a, nil
}

func publicKeysMatch(a, b crypto.PublicKey) bool {
	k, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && k.Equal(b)
}

func dnDefaults(d *config.ASN1DN) template.DNDefaults {
	return template.DNDefaults{Country: d.Country, Organization: d.Organization,
		OrganizationalUnit: d.OrganizationalUnit, Locality: d.Locality, Province: d.Province,
		StreetAddress: d.StreetAddress, SerialNumber: d.SerialNumber, CommonName: d.CommonName}
}

// Roots are the configured roots.
func (a *Authority) Roots() []*x509.Certificate { return a.roots }

// FederatedRoots are the extra roots of "federatedRoots" (the API adds
// Roots for /federation).
func (a *Authority) FederatedRoots() []*x509.Certificate { return a.federated }

// Intermediates is the signing chain below the root.
func (a *Authority) Intermediates() []*x509.Certificate { return a.intermediates }

// TLSOptions are echoed in sign responses (step's tlsOptions).
func (a *Authority) TLSOptions() *config.TLS {
	if a.cfg.TLS != nil {
		return a.cfg.TLS
	}
	return config.DefaultTLS()
}

// Provisioners lists provisioners as ca.json objects, paginated.
func (a *Authority) Provisioners(_ context.Context, cursor string, limit int) ([]config.Provisioner, string, error) {
	list, next, err := a.provs.List(cursor, limit)
	if err != nil {
		return nil, "", caerr.BadRequestf("%v", err)
	}
	return list, next, nil
}

// EncryptedKey returns the encryptedKey of the JWK provisioner with kid.
func (a *Authority) EncryptedKey(_ context.Context, kid string) (string, error) {
	if k, ok := a.provs.EncryptedKey(kid); ok {
		return k, nil
	}
	return "", caerr.NotFoundf("no provisioner with an encrypted key has kid %q", kid)
}

// ClientCAs is the pool client certificates are verified against: roots and
// the CA's own intermediates, so a client may send only its leaf.
func (a *Authority) ClientCAs() *x509.CertPool {
	pool := x509.NewCertPool()
	for _, c := range append(append([]*x509.Certificate{}, a.roots...), a.intermediates...) {
		pool.AddCert(c)
	}
	return pool
}

// Config is the ca.json the authority was built from.
func (a *Authority) Config() *config.CAConfig { return a.cfg }
