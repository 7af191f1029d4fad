package authority

import (
	"context"
	"crypto/x509"
	"net"
	"time"

	"github.com/stride-pki/stride/internal/caerr"
	"github.com/stride-pki/stride/internal/config"
	"github.com/stride-pki/stride/internal/keys"
	"github.com/stride-pki/stride/internal/provisioner"
	"github.com/stride-pki/stride/internal/storage"
	"github.com/stride-pki/stride/internal/template"
)

// ACMESignRequest is a finalized ACME order after the ACME core checked its
// CSR against the order: the names are the order's identifiers.
type ACMESignRequest struct {
	// Provisioner is the ACME provisioner's name.
	Provisioner string
	CSR         *x509.CertificateRequest
	// Subject is the certificate's common name (the CSR's, or with forceCN
	// the first identifier); SANs are the order's identifiers.
	Subject string
	SANs    []string
	// NotBefore and NotAfter are the order's requested times; zero is unset.
	NotBefore, NotAfter time.Time
	// Profile names the order's ACME profile ("" for none); Template is its
	// X.509 template (nil: the provisioner's), Duration its validity when
	// the order asked for no notAfter (0: the provisioner's default).
	Profile  string
	Template *config.TemplateOptions
	Duration time.Duration
}

// SignACME issues the certificate of a finalized ACME order exactly as Sign
// does (template, claims, DN defaults, provisioner extension, policy,
// serial) but, instead of recording it with a token, hands the record to
// commit, which must store it durably (the ACME core stores it together with
// the order's new state in one transaction). A commit error is returned as
// is and nothing is returned to the requester: issuance stays write-ahead.
func (a *Authority) SignACME(ctx context.Context, req ACMESignRequest, commit func(context.Context, storage.Certificate) error) (*Issued, error) {
	prov, err := a.acmeProvisioner(req.Provisioner)
	if err != nil {
		return nil, err
	}
	if req.CSR == nil {
		return nil, caerr.BadRequestf("missing csr")
	}
	if err := req.CSR.CheckSignature(); err != nil {
		return nil, caerr.BadRequestf("the certificate request's signature is invalid")
	}
	if err := keys.CheckPublicKey(req.CSR.PublicKey); err != nil {
		return nil, caerr.BadRequestf("certificate request: %v", err)
	}
	tmpl := a.provisionerTemplate
	if req.Template != nil {
		tmpl = a.profileTemplate(req.Profile, req.Template)
	}
	cert, err := a.render(prov, tmpl, req.CSR, template.NewData(req.Subject, req.SANs))
	if err != nil {
		return nil, err
	}
	notAfter := timeSpec(req.NotAfter)
	if notAfter == "" && req.Duration > 0 {
		notAfter = req.Duration.String() // from notBefore, as a requested duration
	}
	if err := a.applyValidity(cert, prov, timeSpec(req.NotBefore), notAfter); err != nil {
		return nil, err
	}
	return a.issueCommitting(ctx, cert, prov, func(ctx context.Context, signed *x509.Certificate) error {
		return commit(ctx, a.certificateRecord(signed, prov, ""))
	})
}

// CheckACMEIdentifier reports whether the authority's and the ACME
// provisioner's policies allow a certificate for one order identifier
// (typ "dns" or "ip"), so new-order can refuse it before any validation.
// A refusal is a Forbidden caerr whose message names the rule.
func (a *Authority) CheckACMEIdentifier(provisionerName, typ, value string) error {
	prov, err := a.acmeProvisioner(provisionerName)
	if err != nil {
		return err
	}
	var probe x509.Certificate
	switch typ {
	case "dns":
		probe.DNSNames = []string{value}
	case "ip":
		ip := net.ParseIP(value)
		if ip == nil {
			return caerr.BadRequestf("%q is not an IP address", value)
		}
		probe.IPAddresses = []net.IP{ip}
	default:
		return caerr.BadRequestf("identifier type %q is not supported", typ)
	}
	return a.checkPolicy(&probe, prov)
}

// ACMEProvisioner returns the ACME provisioner called name.
func (a *Authority) ACMEProvisioner(name string) (provisioner.Provisioner, bool) {
	p, err := a.acmeProvisioner(name)
	return p, err == nil
}

func (a *Authority) acmeProvisioner(name string) (provisioner.Provisioner, error) {
	p, ok := a.provs.ByName(name)
	if !ok || p.Type() != config.ProvisionerACME {
		return nil, caerr.NotFoundf("no ACME provisioner is called %q", name)
	}
	return p, nil
}

// timeSpec renders an order time as applyValidity's RFC 3339 form.
func timeSpec(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
