package server

import (
	"context"
	"crypto"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/stride-pki/stride/internal/acme"
	"github.com/stride-pki/stride/internal/acme/wfe"
	"github.com/stride-pki/stride/internal/config"
	"github.com/stride-pki/stride/internal/storage"
	"github.com/stride-pki/stride/internal/validation"
)

// acmePurgeInterval is how often expired, unfinished ACME orders are deleted.
const acmePurgeInterval = time.Hour

// acmeRuntime is the part of ACME that outlives a reload: the store and
// the validation worker (the queue is in the store, the validator's knobs
// are read at start). Each generation gets its own Service and edge.
type acmeRuntime struct {
	store  acme.Store
	worker *acme.Worker
	caa    acme.CAACheck // the validator's, for the recheck at finalize
	log    *slog.Logger
}

// startACME starts the validation worker over store (every backend holds
// ACME state).
func startACME(ctx context.Context, cfg *config.CAConfig, store storage.Store, resolver string, current *atomic.Pointer[CA], log *slog.Logger) *acmeRuntime {
	var st acme.Store = store
	vcfg := validation.Config{Resolver: resolver}
	if p := cfg.ACMETestPorts; p != nil {
		vcfg.HTTPPort, vcfg.TLSPort = p.HTTP01, p.TLSALPN01
		log.Warn("acme: validating on test ports (acmeTestPorts is test-only)", "http01", p.HTTP01, "tlsalpn01", p.TLSALPN01)
	}
	v := validation.New(vcfg)
	worker := acme.NewWorker(acme.WorkerOptions{Store: st, Validator: v,
		MapError: validationError, CAAIdentities: caaIdentities(current), Log: log})
	go worker.Run(ctx)
	go purgeACME(ctx, st, log)
	return &acmeRuntime{store: st, worker: worker, caa: v.CAA, log: log}
}

// validationError reads the validator's error type for the ACME core.
func validationError(err error) *acme.ValidationError {
	var ve *validation.Error
	if !errors.As(err, &ve) {
		return nil
	}
	return &acme.ValidationError{Type: ve.Type, Detail: ve.Detail, Retryable: ve.Retryable}
}

// caaIdentities makes validation check CAA for the provisioners that name
// their CA's domains (caaIdentities), read from the running generation.
func caaIdentities(current *atomic.Pointer[CA]) func(string) []string {
	return func(name string) []string {
		ca := current.Load()
		if ca == nil || ca.Config.Authority == nil {
			return nil
		}
		for _, p := range ca.Config.Authority.Provisioners {
			if p.Type() == config.ProvisionerACME && p.Name() == name {
				f, err := p.ACME()
				if err == nil {
					return f.CAAIdentities
				}
			}
		}
		return nil
	}
}

func hasACMEProvisioner(cfg *config.CAConfig) bool {
	if cfg.Authority == nil {
		return false
	}
	for _, p := range cfg.Authority.Provisioners {
		if p.Type() == config.ProvisionerACME {
			return true
		}
	}
	return false
}

// mounts returns the ACME edge of generation ca at its two prefixes, or
// nil when ACME is unavailable or no provisioner is of type ACME.
func (rt *acmeRuntime) mounts(ca *CA) map[string]http.Handler {
	if rt == nil || !hasACMEProvisioner(ca.Config) {
		return nil
	}
	var provs []*acme.Provisioner
	for _, cp := range ca.Config.Authority.Provisioners {
		if cp.Type() != config.ProvisionerACME {
			continue
		}
		p, ok := ca.Authority.ACMEProvisioner(cp.Name())
		if !ok {
			continue
		}
		ap, err := acme.NewProvisioner(p.ID(), p.Config(), p.Claims())
		if err != nil {
			rt.log.Warn("acme: provisioner not served", "provisioner", cp.Name(), "error", err)
			continue
		}
		if len(ap.Ignored) > 0 {
			rt.log.Warn("acme: challenge types not offered by Stride", "provisioner", ap.Name, "types", ap.Ignored)
		}
		provs = append(provs, ap)
	}
	nonces, err := acme.NewNonces(ca.ACMENonceKey, rt.store, nil)
	if err != nil {
		rt.log.Error("acme: not served", "error", err)
		return nil
	}
	svc := acme.New(acme.Options{Store: rt.store, Authority: ca.Authority, Provisioners: provs, Nonces: nonces,
		Wake: rt.worker.Wake, CAA: rt.caa, MapError: validationError, Log: rt.log})
	for _, p := range provs {
		rt.log.Info("acme: serving provisioner", "provisioner", p.Name, "directory", "/acme/"+p.Name+"/directory",
			"challenges", p.Challenges)
	}
	h := wfe.New(svc, wfe.Options{Logger: rt.log})
	out := map[string]http.Handler{}
	for _, prefix := range wfe.Prefixes {
		out[prefix] = h
	}
	return out
}

// purgeACME deletes unfinished orders (and their authorizations) once
// expired, every acmePurgeInterval.
func purgeACME(ctx context.Context, store acme.Store, log *slog.Logger) {
	t := time.NewTicker(acmePurgeInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := store.PurgeACME(ctx, time.Now()); err != nil {
				log.Warn("acme: purging expired orders", "error", err)
			} else if n > 0 {
				log.Info("acme: purged expired orders and authorizations", "count", n)
			}
		}
	}
}

// nonceKey derives the ACME nonce key from the CA's signing key, so that
// replicas sharing the intermediate accept each other's nonces (redemption
// is shared through the database). A key that cannot be exported (a KMS)
// gets a random per-process key: nonces then work per replica only.
func nonceKey(signer crypto.Signer) []byte {
	if der, err := x509.MarshalPKCS8PrivateKey(signer); err == nil {
		if k, err := hkdf.Key(sha256.New, der, nil, "stride acme nonce key", 32); err == nil {
			return k
		}
	}
	k := make([]byte, 32)
	rand.Read(k)
	return k
}

// Compile-time check: the validation package satisfies the core's interface.
var _ acme.Validator = (*validation.Validator)(nil)
