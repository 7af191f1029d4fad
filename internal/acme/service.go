// Package acme is the ACME server's core (RFC 8555): accounts, orders,
// authorizations and challenges as a state machine over storage.ACME,
// asynchronous validation from the persisted queue, finalization through the
// authority, revocation, and stateless nonces. It knows nothing of HTTP:
// acme/wfe decodes requests, calls the Service, and renders the wire types
// and Problems defined here (the only place that picks HTTP statuses is
// wfe).
//
// Files: service.go (collaborators), provisioner.go, types.go (wire JSON),
// problem.go, status.go, ids.go, nonce.go, update.go (optimistic updates),
// identifiers.go, account.go, order.go, authz.go, challenge.go,
// finalize.go, certificate.go, revoke.go; validation: validator.go (the
// interface and error mapping), worker.go (the queue loop), attempt.go
// (claim, check, record). EAB, key change, ARI and profiles live in their
// own files (eab*.go, keychange*.go, ari*.go, profile*.go).
package acme

import (
	"context"
	"crypto/x509"
	"log/slog"
	"time"

	"github.com/stride-pki/stride/internal/authority"
	"github.com/stride-pki/stride/internal/storage"
)

// Store is what the ACME core keeps: its own objects, the certificates it
// issues (read back for download and revocation), revocations, and one-time
// tokens for nonces.
type Store interface {
	storage.ACME
	storage.Certificates
	storage.Revocations
	storage.Tokens
}

// Authority is what the ACME core needs from the X.509 core; authority.Authority
// implements it. Errors are caerr values.
type Authority interface {
	// SignACME issues the certificate for a checked CSR and hands its
	// record to commit before returning it (write-ahead).
	SignACME(ctx context.Context, req authority.ACMESignRequest, commit func(context.Context, storage.Certificate) error) (*authority.Issued, error)
	// CheckACMEIdentifier applies the authority's and the provisioner's
	// policy to one identifier ("dns" or "ip").
	CheckACMEIdentifier(provisioner, typ, value string) error
	// Intermediates is the chain above issued leaves, issuer first.
	Intermediates() []*x509.Certificate
	// AlternateChains are other chains above issued leaves (RFC 8555
	// §7.4.2), each issuer (cross-certificate) first; usually none.
	AlternateChains() [][]*x509.Certificate
}

// EABCheck verifies a new account's externalAccountBinding (RFC 8555
// §7.3.4) against the outer JWS key (jwk, JSON) and the new-account URL, and
// returns the EAB key ID to bind. binding is nil when the request carried
// none. StoreEAB (eab.go) is the one over the store's keys.
type EABCheck func(ctx context.Context, prov *Provisioner, binding []byte, jwk []byte, url string) (keyID string, err error)

// Options are the Service's collaborators.
type Options struct {
	Store     Store
	Authority Authority
	// Provisioners are the ACME provisioners served, by name.
	Provisioners []*Provisioner
	// Nonces issues and redeems Replay-Nonces.
	Nonces *Nonces
	// Wake, when set, is called after a challenge was queued, so the local
	// worker validates it at once instead of at its next poll.
	Wake func()
	// EAB verifies external account bindings; nil: StoreEAB over Store.
	EAB EABCheck
	// CAA, when set, rechecks CAA at finalize for validations older than
	// CAARecheckAfter (provisioners with caaIdentities); MapError reads its
	// errors as the Worker's does.
	CAA      CAACheck
	MapError ValidationErrorMapper
	Now      func() time.Time
	Log      *slog.Logger
}

// Service is the ACME core of one configuration generation: a reload builds
// a new one over the same store (the validation Worker outlives it). It is
// safe for concurrent use.
type Service struct {
	store  Store
	auth   Authority
	provs  map[string]*Provisioner
	nonces *Nonces
	wake   func()
	eab    EABCheck
	caa    CAACheck
	mapErr ValidationErrorMapper
	now    func() time.Time
	log    *slog.Logger
}

// New builds a Service.
func New(opts Options) *Service {
	s := &Service{store: opts.Store, auth: opts.Authority, provs: map[string]*Provisioner{},
		nonces: opts.Nonces, wake: opts.Wake, eab: opts.EAB, caa: opts.CAA, mapErr: opts.MapError, now: opts.Now, log: opts.Log}
	for _, p := range opts.Provisioners {
		s.provs[p.Name] = p
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.wake == nil {
		s.wake = func() {}
	}
	if s.eab == nil {
		s.eab = StoreEAB(opts.Store)
	}
	return s
}

// Provisioner returns the ACME provisioner called name.
func (s *Service) Provisioner(name string) (*Provisioner, bool) {
	p, ok := s.provs[name]
	return p, ok
}

// Nonces is the Service's nonce source.
func (s *Service) Nonces() *Nonces { return s.nonces }

// Intermediates is the chain served after each leaf.
func (s *Service) Intermediates() []*x509.Certificate { return s.auth.Intermediates() }
