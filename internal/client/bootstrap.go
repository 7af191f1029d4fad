package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net/http"
	"net/url"
)

// FetchRoot downloads the root whose SHA-256 is fingerprint from the CA at
// caURL without verifying the CA's TLS certificate (there is no root to
// verify it with yet), and returns it only if its fingerprint matches: the
// fingerprint is the trust anchor, as in `step ca bootstrap`.
func FetchRoot(ctx context.Context, caURL, fingerprint string, opts Options) (*x509.Certificate, error) {
	fp := NormalizeFingerprint(fingerprint)
	if len(fp) != 64 || !isHex(fp) {
		return nil, errors.New("the fingerprint must be the 64 hex digits of the root's SHA-256")
	}
	base, err := parseCAURL(caURL)
	if err != nil {
		return nil, err
	}
	conf := &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS12} //nolint:gosec // the fingerprint check below is the trust decision
	c := newClient(base, opts, conf)
	var out rootResponse
	err = c.do(ctx, call{method: http.MethodGet, path: "/root/" + url.PathEscape(fp), ok: []int{200}, out: &out})
	if err != nil {
		return nil, err
	}
	return checkRoot(out.CA, fp)
}

func isHex(s string) bool {
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
			return false
		}
	}
	return true
}
