// Package api is step-ca's CA API over HTTP: the routes the step CLI and
// step's Go client call (/sign, /renew, /roots, /provisioners, …), served at
// "/" and again under "/1.0/". It is the HTTP edge: it decodes requests,
// calls the CA core through the Authority interface below, and writes step's
// JSON; it never decides policy. Domain errors (caerr) become statuses in
// errors.go, the one place that does so.
//
// Files: api.go (the contract and New), routes.go (the one route table),
// middleware.go (request id, body cap, panic recovery, request log,
// latency), errors.go, render.go, one file per resource group, metrics.go.
package api

import (
	"context"
	"crypto/x509"
	"log/slog"
	"net/http"

	"github.com/stride-pki/stride/internal/authority"
	"github.com/stride-pki/stride/internal/config"
)

// Authority is everything the CA API needs from the CA core; the core
// implements it, the API owns it. All methods are safe for concurrent use.
// Errors are caerr.Error values: their Kind picks the status and their Msg is
// shown to the requester; any other error is a 500 whose text is only
// logged. Methods taking a ctx stop early and return its error when it is
// cancelled (the client went away, or the server is shutting down).
type Authority interface {
	// Sign authorizes req.OTT and issues a certificate for req.CSR; it
	// checks the CSR's signature (the API only parses it: one check each).
	Sign(ctx context.Context, req authority.SignRequest) (*authority.Issued, error)
	// Renew re-issues peer, the client certificate of an mTLS connection
	// that crypto/tls has verified against the client CA pool (so it is
	// unexpired and chains to the CA). Revoked → Unauthorized.
	Renew(ctx context.Context, peer *x509.Certificate) (*authority.Issued, error)
	// RenewWithToken re-issues the certificate in the x5cInsecure header of
	// the renew token (the `Authorization: Bearer` value), after verifying
	// the token and the chain (expiry ignored, per allowRenewalAfterExpiry).
	RenewWithToken(ctx context.Context, token string) (*authority.Issued, error)
	// Rekey re-issues peer (verified as in Renew) with the public key of csr,
	// after checking csr's signature.
	Rekey(ctx context.Context, peer *x509.Certificate, csr *x509.CertificateRequest) (*authority.Issued, error)
	// Revoke records a passive revocation. The API has already normalised
	// req.Serial to decimal, checked ReasonCode is 0..10 and Passive is
	// true, and, for mTLS, that MTLSCert's serial equals req.Serial.
	Revoke(ctx context.Context, req authority.RevokeRequest) error

	// Roots returns the CA's own roots (ca.json "root"), never nil for a
	// running CA. FederatedRoots returns only the extra roots of
	// "federatedRoots" (the API adds Roots for /federation). Intermediates
	// returns the issuing chain, leaf's issuer first; empty makes
	// /intermediates answer 501. The slices are not modified by the API.
	Roots() []*x509.Certificate
	FederatedRoots() []*x509.Certificate
	Intermediates() []*x509.Certificate

	// Provisioners returns one page of the provisioner list in ca.json form
	// (as stored, SCEP secrets included: the API redacts them) and the
	// cursor of the next page, "" at the end. cursor is opaque: "" is the
	// first page, an unknown cursor is BadRequest. limit is already clamped
	// to 1..100.
	Provisioners(ctx context.Context, cursor string, limit int) ([]config.Provisioner, string, error)
	// EncryptedKey returns the compact JWE "encryptedKey" of the JWK
	// provisioner whose key has this kid; NotFound when there is none.
	EncryptedKey(ctx context.Context, kid string) (string, error)
	// TLSOptions returns the listener's effective tls options, echoed in
	// sign/renew/rekey responses; nil means step's defaults.
	TLSOptions() *config.TLS
}

// Options are the API's collaborators and knobs; the zero value works.
type Options struct {
	// Logger receives the request log (one entry per request) and the causes
	// of 500s. nil discards.
	Logger *slog.Logger
	// Version is answered by /version, without a leading "v".
	Version string
	// TraceHeader is logger.traceHeader: the legacy request-id header read
	// when X-Request-Id is absent. "" means X-Smallstep-Id.
	TraceHeader string
	// Metrics, when set, counts issuance and request latency; keep one value
	// across reloads so counters survive them.
	Metrics *Metrics
	// Admin, when set, is mounted at /admin/ (remote management). When nil,
	// GET /admin/admins answers 404 so the step CLI edits ca.json directly.
	Admin http.Handler
	// Mounts are further ServeMux patterns (e.g. "/acme/", "/2.0/acme/",
	// "/scep/") served behind the same middleware as the CA API.
	Mounts map[string]http.Handler
	// MaxBodyBytes caps request bodies; 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64
}

// DefaultMaxBodyBytes is the request body cap. step-ca has none; 1 MiB is
// far above any CSR or token a client sends and bounds what one request can
// make the CA buffer.
const DefaultMaxBodyBytes = 1 << 20

// handler holds what the route handlers share. It is immutable once built:
// a reload builds a new one (see server.Reload).
type handler struct {
	auth    Authority
	version string
	log     *slog.Logger
	metrics *Metrics
	// signTails holds the SignResponse's encoded chain (signresp.go).
	signTails signTails
}

// New returns the CA API: the route table of routes.go behind the middleware
// of middleware.go.
func New(a Authority, opts Options) http.Handler {
	h := &handler{auth: a, version: opts.Version, log: loggerOrDiscard(opts.Logger), metrics: opts.Metrics}
	return Wrap(h.routes(opts), opts)
}

func loggerOrDiscard(l *slog.Logger) *slog.Logger {
	if l != nil {
		return l
	}
	return slog.New(slog.DiscardHandler)
}
