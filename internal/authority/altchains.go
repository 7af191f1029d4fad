package authority

import (
	"bytes"
	"crypto/x509"
	"fmt"
)

// checkAlternateChains checks each alternate chain (ca.json
// "acmeAlternateChains") against issuer, the certificate that signs
// leaves: its first certificate must carry issuer's subject and public key
// (a cross-certificate of it, so every leaf verifies through it), and each
// certificate must be signed by the next. A chain that would not verify is
// refused at start-up rather than served to clients.
func checkAlternateChains(issuer *x509.Certificate, chains [][]*x509.Certificate) error {
	for i, chain := range chains {
		if len(chain) == 0 {
			return fmt.Errorf("acmeAlternateChains[%d]: the chain is empty", i)
		}
		first := chain[0]
		if !bytes.Equal(first.RawSubject, issuer.RawSubject) || !publicKeysMatch(first.PublicKey, issuer.PublicKey) {
			return fmt.Errorf("acmeAlternateChains[%d]: the first certificate %q is not a cross-certificate of the intermediate %q (subject and key must match)",
				i, first.Subject.CommonName, issuer.Subject.CommonName)
		}
		if first.Equal(issuer) {
			return fmt.Errorf("acmeAlternateChains[%d]: the first certificate is the intermediate itself, not a cross-certificate", i)
		}
		for j := 0; j+1 < len(chain); j++ {
			if err := chain[j].CheckSignatureFrom(chain[j+1]); err != nil {
				return fmt.Errorf("acmeAlternateChains[%d]: certificate %d (%q) is not signed by certificate %d (%q): %w",
					i, j, chain[j].Subject.CommonName, j+1, chain[j+1].Subject.CommonName, err)
			}
		}
	}
	return nil
}

// AlternateChains are the configured alternate chains for ACME downloads,
// each the certificates that follow the leaf; none unless ca.json has
// "acmeAlternateChains". The default chain is Intermediates.
func (a *Authority) AlternateChains() [][]*x509.Certificate { return a.alternates }
