package authority

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"math/big"
	"time"

	"github.com/stride-pki/stride/internal/caerr"
	"github.com/stride-pki/stride/internal/policy"
	"github.com/stride-pki/stride/internal/provisioner"
	"github.com/stride-pki/stride/internal/storage"
	"github.com/stride-pki/stride/internal/template"
)

// issue finishes a certificate template and makes it a certificate: serial,
// DN defaults, the provisioner extension, policy (authority then
// provisioner), the signature, and the record. The record (with the token,
// when one authorized the request) commits before the certificate is
// returned, so a certificate a client holds is always in the store.
func (a *Authority) issue(ctx context.Context, cert *x509.Certificate, prov provisioner.Provisioner, tok *provisioner.Token, renewedFrom string) (*Issued, error) {
	return a.issueCommitting(ctx, cert, prov, func(ctx context.Context, signed *x509.Certificate) error {
		return a.record(ctx, signed, prov, tok, renewedFrom)
	})
}

// issueCommitting is issue with the write-ahead step given by the caller:
// commit must make the signed certificate durable before it is returned.
func (a *Authority) issueCommitting(ctx context.Context, cert *x509.Certificate, prov provisioner.Provisioner, commit func(context.Context, *x509.Certificate) error) (*Issued, error) {
	serial, err := newSerial(a.now())
	if err != nil {
		return nil, err
	}
	cert.SerialNumber = serial
	template.ApplyDNDefaults(cert, a.dnDefaults)
	if err := a.addProvisionerExtension(cert, prov); err != nil {
		return nil, err
	}
	if err := a.checkPolicy(cert, prov); err != nil {
		return nil, err
	}
	der, err := createCertificate(cert, a.issuer, cert.PublicKey, a.signer)
	if err != nil {
		return nil, caerr.Wrap(caerr.Internal, err, "signing the certificate")
	}
	signed, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, caerr.Wrap(caerr.Internal, err, "parsing the signed certificate")
	}
	if err := commit(ctx, signed); err != nil {
		return nil, err
	}
	return &Issued{Certificate: signed, Intermediates: a.intermediates}, nil
}

// newSerial returns a positive 128-bit serial: a fixed first byte (so every
// serial has the same length, 37 decimal digits, and sorts by number as a
// string), 48 bits of issuance time in milliseconds, then 72 bits of CSPRNG
// output (the Baseline Requirements ask for at least 64). Time-ordered
// serials let the store append instead of inserting at random places, which
// keeps issuance cheap and the database's working set small.
func newSerial(now time.Time) (*big.Int, error) {
	var b [16]byte
	b[0] = 0x01
	ms := uint64(now.UnixMilli())
	for i := 6; i >= 1; i-- {
		b[i] = byte(ms)
		ms >>= 8
	}
	if _, err := rand.Read(b[7:]); err != nil {
		return nil, caerr.Wrap(caerr.Internal, err, "generating a serial number")
	}
	return new(big.Int).SetBytes(b[:]), nil
}

func (a *Authority) addProvisionerExtension(cert *x509.Certificate, prov provisioner.Provisioner) error {
	if prov == nil || prov.Claims().DisableSmallstepExtensions {
		return nil
	}
	ext := template.ProvisionerExtension{Type: template.ProvisionerTypeOf(prov.Type()), Name: prov.Name(),
		CredentialID: credentialID(prov)}
	if err := template.SetProvisionerExtension(cert, ext); err != nil {
		return caerr.Wrap(caerr.Internal, err, "adding the provisioner extension")
	}
	return nil
}

// credentialID is the JWK key ID for JWK provisioners, empty otherwise (§4.1).
func credentialID(prov provisioner.Provisioner) string {
	if k, ok := prov.(interface{ KeyID() string }); ok {
		return k.KeyID()
	}
	return ""
}

// checkPolicy evaluates the authority's policy, then the provisioner's own.
func (a *Authority) checkPolicy(cert *x509.Certificate, prov provisioner.Provisioner) error {
	if err := policyAllows(a.policy, cert); err != nil {
		return err
	}
	if prov == nil {
		return nil
	}
	return policyAllows(a.provPolicies[prov.ID()], cert)
}

func policyAllows(p *policy.X509Policy, cert *x509.Certificate) error {
	if p == nil {
		return nil
	}
	if err := p.AreCertificateNamesAllowed(cert); err != nil {
		var npe *policy.NamePolicyError
		if errors.As(err, &npe) {
			return caerr.Forbiddenf("%s", npe.Error())
		}
		return caerr.Forbiddenf("%v", err)
	}
	return nil
}

// record stores the certificate and consumes the token in one transaction.
func (a *Authority) record(ctx context.Context, c *x509.Certificate, prov provisioner.Provisioner, tok *provisioner.Token, renewedFrom string) error {
	rec := a.certificateRecord(c, prov, renewedFrom)
	var used *storage.UsedToken
	if tok != nil && tok.ID != "" {
		used = &storage.UsedToken{ID: tok.ID, ExpiresAt: tok.ExpiresAt}
	}
	err := a.store.RecordIssuance(ctx, rec, used)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, storage.ErrTokenUsed):
		return caerr.Unauthorizedf("token already used")
	case errors.Is(err, storage.ErrConflict):
		return caerr.Wrap(caerr.Internal, err, "serial number collision")
	default:
		return caerr.Wrap(caerr.Unavailable, err, "the certificate could not be recorded; it was not issued")
	}
}

// certificateRecord is what the store keeps of the signed certificate c.
func (a *Authority) certificateRecord(c *x509.Certificate, prov provisioner.Provisioner, renewedFrom string) storage.Certificate {
	rec := storage.Certificate{
		Serial: c.SerialNumber.String(), DER: c.Raw, Subject: c.Subject.CommonName, SANs: sanStrings(c),
		NotBefore: c.NotBefore, NotAfter: c.NotAfter, IssuedAt: a.now().UTC(), RenewedFrom: renewedFrom,
	}
	if prov != nil {
		rec.Provisioner = storage.ProvisionerRef{ID: prov.ID(), Name: prov.Name(), Type: prov.Type()}
	}
	return rec
}

func sanStrings(c *x509.Certificate) []string {
	out := append([]string{}, c.DNSNames...)
	for _, ip := range c.IPAddresses {
		out = append(out, ip.String())
	}
	out = append(out, c.EmailAddresses...)
	for _, u := range c.URIs {
		out = append(out, u.String())
	}
	return out
}

// applyValidity sets NotBefore/NotAfter from the request (step's time
// fields) or the provisioner's default, and enforces the claims: at least
// min, at most max (plus backdate, as step allows).
func (a *Authority) applyValidity(cert *x509.Certificate, prov provisioner.Provisioner, nbReq, naReq string) error {
	now := a.now().UTC().Truncate(time.Second)
	claims := prov.Claims().TLS
	nb, err := parseTimeSpec("notBefore", nbReq, now)
	if err != nil {
		return err
	}
	backdated := nb.IsZero()
	if backdated {
		nb = now
	}
	na, err := parseTimeSpec("notAfter", naReq, nb)
	if err != nil {
		return err
	}
	if na.IsZero() {
		na = nb.Add(claims.Default)
	}
	if backdated {
		nb = nb.Add(-a.backdate)
	}
	if !na.After(nb) {
		return caerr.BadRequestf("notAfter %s is not after notBefore %s", na.Format(time.RFC3339), nb.Format(time.RFC3339))
	}
	d := na.Sub(nb)
	if backdated {
		d -= a.backdate
	}
	if d < claims.Min {
		return caerr.Forbiddenf("requested duration of %v is less than the authorized minimum certificate duration of %v", d, claims.Min)
	}
	if d > claims.Max+a.backdate {
		return caerr.Forbiddenf("requested duration of %v is more than the authorized maximum certificate duration of %v", d, claims.Max)
	}
	if cert.NotBefore.IsZero() {
		cert.NotBefore = nb
	}
	if cert.NotAfter.IsZero() {
		cert.NotAfter = na
	}
	return nil
}

// parseTimeSpec reads "" (zero), an RFC 3339 time, or a duration from base.
func parseTimeSpec(field, v string, base time.Time) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC(), nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return time.Time{}, caerr.BadRequestf("%s %q is neither an RFC 3339 time nor a duration", field, v)
	}
	return base.Add(d), nil
}
