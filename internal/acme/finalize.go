package acme

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"slices"
	"strings"

	"github.com/stride-pki/stride/internal/authority"
	"github.com/stride-pki/stride/internal/caerr"
	"github.com/stride-pki/stride/internal/jose"
	"github.com/stride-pki/stride/internal/keys"
	"github.com/stride-pki/stride/internal/storage"
)

// Finalize issues the certificate of a ready order for csr (DER, RFC 8555
// §7.4): the CSR is checked, the order moves to processing with an
// optimistic update (so of two concurrent finalizations, or replicas, one
// wins and the other gets orderNotReady), the authority signs, and the
// certificate and the valid order are stored in one transaction before
// the order is returned. A signing failure leaves the order invalid.
func (s *Service) Finalize(ctx context.Context, p *Provisioner, acct *storage.ACMEAccount, orderID string, csrDER []byte) (*storage.ACMEOrder, error) {
	o, err := s.Order(ctx, acct, orderID)
	if err != nil {
		return nil, err
	}
	if o.Status != string(StatusReady) {
		return nil, problemf(ProbOrderNotReady, "the order is %s, not ready", o.Status)
	}
	csr, subject, sans, prob := checkOrderCSR(p, o, acct, csrDER)
	if prob != nil {
		return nil, prob
	}
	if prob := s.recheckCAA(ctx, p, o); prob != nil {
		return nil, prob // the order stays ready: a fixed CAA record lets it finish
	}
	prof, err := p.Profiles.Resolve(o.Profile)
	if err != nil {
		return nil, err
	}
	o.Status = string(StatusProcessing)
	if err := s.store.UpdateACMEOrder(ctx, o); errors.Is(err, storage.ErrStale) {
		return nil, problemf(ProbOrderNotReady, "the order is being finalized by another request")
	} else if err != nil {
		return nil, internal(err, "to update the order")
	}
	_, err = s.auth.SignACME(ctx, authority.ACMESignRequest{Provisioner: p.Name, CSR: csr, Subject: subject,
		SANs: sans, NotBefore: o.NotBefore, NotAfter: o.NotAfter,
		Profile: prof.Name, Template: prof.X509, Duration: prof.Duration},
		func(ctx context.Context, cert storage.Certificate) error {
			o.Status, o.CertificateSerial = string(StatusValid), cert.Serial
			return s.store.FinalizeACMEOrder(ctx, o, cert)
		})
	if err != nil {
		return nil, s.failFinalize(ctx, o.ID, err)
	}
	return o, nil
}

// failFinalize leaves the order invalid with the signing problem (RFC 8555
// §7.1.6: processing → invalid) and returns that problem.
func (s *Service) failFinalize(ctx context.Context, id string, err error) *Problem {
	prob := internal(err, "to issue the certificate")
	switch caerr.KindOf(err) {
	case caerr.BadRequest, caerr.Forbidden:
		prob = problemf(ProbBadCSR, "%s", caerr.Message(err))
	}
	if _, uerr := s.updateOrder(ctx, id, func(o *storage.ACMEOrder) (bool, error) {
		if o.Status != string(StatusProcessing) {
			return false, nil
		}
		return invalidateOrder(o, prob), nil
	}); uerr != nil {
		s.log.Warn("acme: marking a failed order invalid", "order", id, "error", uerr)
	}
	return prob
}

// checkOrderCSR checks csrDER against the order: a valid signature, a
// strong key that is not the account key (RFC 8555 §11.1), names (CN
// included, lower-cased, deduplicated) equal to the identifiers, nothing
// else. It returns the CSR, the certificate's CN and its SANs.
func checkOrderCSR(p *Provisioner, o *storage.ACMEOrder, acct *storage.ACMEAccount, csrDER []byte) (*x509.CertificateRequest, string, []string, *Problem) {
	csr, err := x509.ParseCertificateRequest(csrDER)
	if err != nil {
		return nil, "", nil, problemf(ProbBadCSR, "the CSR cannot be parsed")
	}
	if err := csr.CheckSignature(); err != nil {
		return nil, "", nil, problemf(ProbBadCSR, "the CSR's signature is invalid")
	}
	if err := keys.CheckPublicKey(csr.PublicKey); err != nil {
		return nil, "", nil, problemf(ProbBadCSR, "the CSR's key is not acceptable: %v", err)
	}
	if isAccountKey(acct, csr) {
		return nil, "", nil, problemf(ProbBadCSR, "the CSR's key must not be the account key")
	}
	if len(csr.EmailAddresses) > 0 || len(csr.URIs) > 0 {
		return nil, "", nil, problemf(ProbBadCSR, "the CSR may name only the order's DNS names and IP addresses")
	}
	want := make([]string, 0, len(o.Identifiers))
	for _, id := range o.Identifiers {
		want = append(want, id.Value)
	}
	cn := strings.ToLower(csr.Subject.CommonName)
	got := csrNames(csr, cn)
	if !sameNames(got, want) {
		return nil, "", nil, problemf(ProbBadCSR, "the CSR's names %v are not the order's identifiers %v", got, want)
	}
	if cn == "" && p.ForceCN {
		cn = want[0]
	}
	return csr, cn, want, nil
}

// csrNames are the CSR's DNS names and IPs, with the CN, lower-cased and
// deduplicated.
func csrNames(csr *x509.CertificateRequest, cn string) []string {
	var out []string
	add := func(n string) {
		if n != "" && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	for _, d := range csr.DNSNames {
		add(strings.ToLower(d))
	}
	for _, ip := range csr.IPAddresses {
		add(ip.String())
	}
	add(cn)
	return out
}

func sameNames(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func isAccountKey(acct *storage.ACMEAccount, csr *x509.CertificateRequest) bool {
	k, err := jose.ParseJWK(acct.Key)
	if err != nil {
		return false
	}
	pub, ok := k.Key.(interface{ Equal(crypto.PublicKey) bool })
	return ok && pub.Equal(csr.PublicKey)
}
