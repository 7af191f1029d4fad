package authority

import (
	"context"
	"crypto/x509"
	"errors"
	"time"

	"github.com/stride-pki/stride/internal/caerr"
	"github.com/stride-pki/stride/internal/keys"
	"github.com/stride-pki/stride/internal/provisioner"
	"github.com/stride-pki/stride/internal/storage"
)

// Renew issues a new certificate for peer, the client certificate of an mTLS
// request (TLS already verified it against ClientCAs, expiry included): same
// names, extensions and lifetime, new serial, starting now.
func (a *Authority) Renew(ctx context.Context, peer *x509.Certificate) (*Issued, error) {
	prov, err := a.renewable(ctx, peer)
	if err != nil {
		return nil, err
	}
	return a.issue(ctx, a.renewalTemplate(peer, peer.PublicKey, false), prov, nil, peer.SerialNumber.String())
}

// RenewWithToken renews the certificate in an x5c renew token
// (`Authorization: Bearer`), which may be expired when the provisioner allows
// renewal after expiry. The token is consumed with the issuance.
func (a *Authority) RenewWithToken(ctx context.Context, token string) (*Issued, error) {
	cert, tok, err := provisioner.VerifyRenewToken(token, a.rootPool, a.interPool, a.provs.Audiences(), a.now())
	if err != nil {
		return nil, err
	}
	prov, err := a.renewable(ctx, cert)
	if err != nil {
		return nil, err
	}
	return a.issue(ctx, a.renewalTemplate(cert, cert.PublicKey, false), prov, &tok, cert.SerialNumber.String())
}

// Rekey issues a certificate like peer's for the key of csr.
func (a *Authority) Rekey(ctx context.Context, peer *x509.Certificate, csr *x509.CertificateRequest) (*Issued, error) {
	if csr == nil {
		return nil, caerr.BadRequestf("missing csr")
	}
	if err := csr.CheckSignature(); err != nil {
		return nil, caerr.BadRequestf("the certificate request's signature is invalid")
	}
	if err := keys.CheckPublicKey(csr.PublicKey); err != nil {
		return nil, caerr.Forbiddenf("certificate request: %v", err)
	}
	prov, err := a.renewable(ctx, peer)
	if err != nil {
		return nil, err
	}
	return a.issue(ctx, a.renewalTemplate(peer, csr.PublicKey, true), prov, nil, peer.SerialNumber.String())
}

// renewable checks that cert is ours, not revoked, and that its provisioner
// allows the renewal; it returns that provisioner (nil for a certificate
// whose provisioner is unknown, which step renews as well).
func (a *Authority) renewable(ctx context.Context, cert *x509.Certificate) (provisioner.Provisioner, error) {
	if err := cert.CheckSignatureFrom(a.issuer); err != nil {
		return nil, caerr.Unauthorizedf("the certificate was not issued by this CA")
	}
	serial := cert.SerialNumber.String()
	if _, err := a.store.Revocation(ctx, serial); err == nil {
		return nil, caerr.Unauthorizedf("certificate with serial number '%s' has been revoked", serial)
	} else if !errors.Is(err, storage.ErrNotFound) {
		return nil, caerr.Wrap(caerr.Unavailable, err, "checking the revocation status")
	}
	prov := a.provisionerOf(ctx, cert)
	if prov == nil {
		if a.now().After(cert.NotAfter) {
			return nil, caerr.Unauthorizedf("certificate has expired on %s", cert.NotAfter.UTC().Format(time.RFC3339))
		}
		return nil, nil
	}
	if err := prov.AuthorizeRenew(ctx, cert); err != nil {
		return nil, err
	}
	return prov, nil
}

// provisionerOf finds the provisioner of cert: first from the stored record,
// then from the provisioner extension's name (§4.1).
func (a *Authority) provisionerOf(ctx context.Context, cert *x509.Certificate) provisioner.Provisioner {
	if rec, err := a.store.Certificate(ctx, cert.SerialNumber.String()); err == nil && rec.Provisioner.Name != "" {
		if p, ok := a.provs.ByName(rec.Provisioner.Name); ok {
			return p
		}
	}
	if p, ok := a.provs.ForCertificate(cert); ok {
		return p
	}
	return nil
}

// renewalTemplate copies old per §10.2: subject, names, usages, constraints,
// AIA/CRL/policies and every extension except the key identifiers, with the
// same lifetime starting now (backdated). Serial and signature are new.
func (a *Authority) renewalTemplate(old *x509.Certificate, pub any, rekey bool) *x509.Certificate {
	now := a.now().UTC().Truncate(time.Second)
	// step: the old lifetime less the backdate, from now, backdated. A
	// certificate shorter than the backdate keeps its whole lifetime instead
	// of renewing into one that has already ended.
	lifetime := old.NotAfter.Sub(old.NotBefore) - a.backdate
	if lifetime <= 0 {
		lifetime = old.NotAfter.Sub(old.NotBefore)
	}
	nb := now.Add(-a.backdate)
	c := &x509.Certificate{
		PublicKey:             pub,
		RawSubject:            old.RawSubject,
		Subject:               old.Subject, // for policy checks; RawSubject is what is signed
		DNSNames:              old.DNSNames,
		IPAddresses:           old.IPAddresses,
		EmailAddresses:        old.EmailAddresses,
		URIs:                  old.URIs,
		NotBefore:             nb,
		NotAfter:              now.Add(lifetime),
		KeyUsage:              old.KeyUsage,
		BasicConstraintsValid: old.BasicConstraintsValid,
		IsCA:                  old.IsCA,
		MaxPathLen:            old.MaxPathLen,
		MaxPathLenZero:        old.MaxPathLenZero,
	}
	for _, ext := range old.Extensions {
		if ext.Id.Equal(oidAuthorityKeyID) || (rekey && ext.Id.Equal(oidSubjectKeyID)) {
			continue
		}
		c.ExtraExtensions = append(c.ExtraExtensions, ext)
	}
	if rekey {
		c.SubjectKeyId = nil // Go derives a new one for CAs; leaves get ours below
		if id, err := keyID(pub); err == nil {
			c.SubjectKeyId = id
		}
	}
	return c
}
