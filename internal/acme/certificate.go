package acme

import (
	"context"
	"errors"

	"github.com/stride-pki/stride/internal/storage"
)

// CertificateChain returns the DER of the account's certificate serial
// (decimal) followed by chain n, for download (RFC 8555 §7.4.2): chain 0
// is the intermediates, chains 1… the authority's alternate chains (a
// cross-signed intermediate, say). alternates is how many of those there
// are, so the edge can link every other chain.
func (s *Service) CertificateChain(ctx context.Context, acct *storage.ACMEAccount, serial string, n int) (chain [][]byte, alternates int, err error) {
	alts := s.auth.AlternateChains()
	if n < 0 || n > len(alts) {
		return nil, 0, notFoundf("no such certificate chain")
	}
	o, err := s.store.ACMEOrderByCertificate(ctx, serial)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return nil, 0, notFoundf("no such certificate")
	case err != nil:
		return nil, 0, internal(err, "to look the certificate up")
	case o.AccountID != acct.ID:
		return nil, 0, problemf(ProbUnauthorized, "the certificate belongs to another account")
	}
	cert, err := s.store.Certificate(ctx, serial)
	if err != nil {
		return nil, 0, internal(err, "to read the certificate")
	}
	above := s.auth.Intermediates()
	if n > 0 {
		above = alts[n-1]
	}
	chain = [][]byte{cert.DER}
	for _, c := range above {
		chain = append(chain, c.Raw)
	}
	return chain, len(alts), nil
}
