package acme

import (
	"context"
	"errors"

	"github.com/stride-pki/stride/internal/storage"
)

// CertificateChain returns the DER of the account's certificate serial
// (decimal) followed by the intermediates, for download (RFC 8555 §7.4.2).
func (s *Service) CertificateChain(ctx context.Context, acct *storage.ACMEAccount, serial string) ([][]byte, error) {
	o, err := s.store.ACMEOrderByCertificate(ctx, serial)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return nil, notFoundf("no such certificate")
	case err != nil:
		return nil, internal(err, "to look the certificate up")
	case o.AccountID != acct.ID:
		return nil, problemf(ProbUnauthorized, "the certificate belongs to another account")
	}
	cert, err := s.store.Certificate(ctx, serial)
	if err != nil {
		return nil, internal(err, "to read the certificate")
	}
	chain := [][]byte{cert.DER}
	for _, c := range s.auth.Intermediates() {
		chain = append(chain, c.Raw)
	}
	return chain, nil
}
