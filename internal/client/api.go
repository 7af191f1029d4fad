package client

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/stride-pki/stride/internal/pemutil"
)

// Health is GET /health.
func (c *Client) Health(ctx context.Context) (*HealthResponse, error) {
	var out HealthResponse
	return &out, c.do(ctx, call{method: http.MethodGet, path: "/health", ok: []int{200}, out: &out})
}

// Version is GET /version.
func (c *Client) Version(ctx context.Context) (*VersionResponse, error) {
	var out VersionResponse
	return &out, c.do(ctx, call{method: http.MethodGet, path: "/version", ok: []int{200}, out: &out})
}

// Root is GET /root/{sha}: the root (or federated root) whose DER has that
// SHA-256. The answer is checked against sha.
func (c *Client) Root(ctx context.Context, sha string) (*x509.Certificate, error) {
	sha = NormalizeFingerprint(sha)
	var out rootResponse
	err := c.do(ctx, call{method: http.MethodGet, path: "/root/" + url.PathEscape(sha), ok: []int{200}, out: &out})
	if err != nil {
		return nil, err
	}
	return checkRoot(out.CA, sha)
}

// Roots is GET /roots (answered with 201, as step-ca does).
func (c *Client) Roots(ctx context.Context) ([]*x509.Certificate, error) {
	return c.certs(ctx, "/roots")
}

// Federation is GET /federation: the roots and the federated roots.
func (c *Client) Federation(ctx context.Context) ([]*x509.Certificate, error) {
	return c.certs(ctx, "/federation")
}

func (c *Client) certs(ctx context.Context, path string) ([]*x509.Certificate, error) {
	var out certsResponse
	if err := c.do(ctx, call{method: http.MethodGet, path: path, ok: []int{200, 201}, out: &out}); err != nil {
		return nil, err
	}
	var certs []*x509.Certificate
	for _, p := range out.Certificates {
		cs, err := pemutil.ParseCertificates([]byte(p))
		if err != nil {
			return nil, fmt.Errorf("the CA sent an invalid certificate in %s: %w", path, err)
		}
		certs = append(certs, cs...)
	}
	return certs, nil
}

// Provisioners is one page of GET /provisioners; limit 0 is the CA's default.
func (c *Client) Provisioners(ctx context.Context, cursor string, limit int) (*ProvisionersResponse, error) {
	q := url.Values{}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	path := "/provisioners"
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	var out ProvisionersResponse
	return &out, c.do(ctx, call{method: http.MethodGet, path: path, ok: []int{200}, out: &out})
}

// AllProvisioners follows nextCursor through every page.
func (c *Client) AllProvisioners(ctx context.Context) ([]Provisioner, error) {
	var all []Provisioner
	cursor := ""
	for page := 0; page < 10000; page++ {
		res, err := c.Provisioners(ctx, cursor, 100)
		if err != nil {
			return nil, err
		}
		all = append(all, res.Provisioners...)
		if res.NextCursor == "" || res.NextCursor == cursor || len(res.Provisioners) == 0 {
			return all, nil
		}
		cursor = res.NextCursor
	}
	return all, nil
}

// ProvisionerKey is GET /provisioners/{kid}/encrypted-key: the compact JWE
// of a JWK provisioner's private key.
func (c *Client) ProvisionerKey(ctx context.Context, kid string) (string, error) {
	var out provisionerKeyResponse
	err := c.do(ctx, call{method: http.MethodGet, path: "/provisioners/" + url.PathEscape(kid) + "/encrypted-key", ok: []int{200}, out: &out})
	return out.Key, err
}

// Sign is POST /sign.
func (c *Client) Sign(ctx context.Context, req *SignRequest) (*SignResponse, error) {
	var out SignResponse
	return &out, c.do(ctx, call{method: http.MethodPost, path: "/sign", body: req, ok: []int{200, 201}, out: &out})
}

// Renew is POST /renew authenticated by the certificate being renewed (mTLS).
func (c *Client) Renew(ctx context.Context, cert *tls.Certificate) (*SignResponse, error) {
	var out SignResponse
	return &out, c.withClientCert(cert).do(ctx, call{method: http.MethodPost, path: "/renew", ok: []int{200, 201}, out: &out})
}

// RenewWithToken is POST /renew with `Authorization: Bearer <x5c renew
// token>` (NewRenewToken), for expired certificates or --mtls=false.
func (c *Client) RenewWithToken(ctx context.Context, token string) (*SignResponse, error) {
	var out SignResponse
	h := http.Header{"Authorization": {"Bearer " + token}}
	return &out, c.do(ctx, call{method: http.MethodPost, path: "/renew", header: h, ok: []int{200, 201}, out: &out})
}

// Rekey is POST /rekey over mTLS with a CSR for the new key.
func (c *Client) Rekey(ctx context.Context, cert *tls.Certificate, csr *x509.CertificateRequest) (*SignResponse, error) {
	var out SignResponse
	body := rekeyRequest{CSR: string(pemutil.EncodeCSR(csr))}
	return &out, c.withClientCert(cert).do(ctx, call{method: http.MethodPost, path: "/rekey", body: body, ok: []int{200, 201}, out: &out})
}

// Revoke is POST /revoke: with req.OTT set, or over mTLS with cert (the
// certificate being revoked) when cert is not nil.
func (c *Client) Revoke(ctx context.Context, req *RevokeRequest, cert *tls.Certificate) (*RevokeResponse, error) {
	cl := c
	if cert != nil {
		cl = c.withClientCert(cert)
	}
	var out RevokeResponse
	return &out, cl.do(ctx, call{method: http.MethodPost, path: "/revoke", body: req, ok: []int{200}, out: &out})
}

// NormalizeFingerprint lower-cases a hex fingerprint and drops ':' and '-'.
func NormalizeFingerprint(fp string) string {
	return strings.ToLower(strings.NewReplacer(":", "", "-", "", " ", "").Replace(strings.TrimSpace(fp)))
}

// Fingerprint is the hex SHA-256 of a certificate's DER.
func Fingerprint(cert *x509.Certificate) string {
	sum := sha256.Sum256(cert.Raw)
	return hex.EncodeToString(sum[:])
}

// checkRoot parses a PEM root and checks that its fingerprint is sha.
func checkRoot(pemText, sha string) (*x509.Certificate, error) {
	certs, err := pemutil.ParseCertificates([]byte(pemText))
	if err != nil {
		return nil, fmt.Errorf("the CA sent an invalid root: %w", err)
	}
	if got := Fingerprint(certs[0]); got != sha {
		return nil, fmt.Errorf("the CA sent a root with fingerprint %s, not %s: refusing it", got, sha)
	}
	return certs[0], nil
}
