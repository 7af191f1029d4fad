package load

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/stride-pki/stride/internal/jose"
	"github.com/stride-pki/stride/internal/keys"
	"github.com/stride-pki/stride/internal/pemutil"
)

// TokenLifetime is how long a pre-minted token stays valid: long enough for
// the slowest level of a run.
const TokenLifetime = time.Hour

// Request is one pre-built POST /sign: the JSON body ready to send, and the
// CSR's public key the returned certificate must carry.
type Request struct {
	Name string
	Body []byte
	Pub  crypto.PublicKey
}

// signClaims is the payload of a JWK sign token as `step ca token` writes it
// (reference §2.1); aud is a single string.
type signClaims struct {
	Issuer    string   `json:"iss"`
	Subject   string   `json:"sub"`
	Audience  string   `json:"aud"`
	NotBefore int64    `json:"nbf"`
	IssuedAt  int64    `json:"iat"`
	Expiry    int64    `json:"exp"`
	ID        string   `json:"jti"`
	SHA       string   `json:"sha"`
	SANs      []string `json:"sans"`
}

// MintToken returns a one-time sign token for name, valid from now for
// TokenLifetime, with a fresh 256-bit jti.
func (is *Issuer) MintToken(name string, now time.Time) (string, error) {
	jti := make([]byte, 32)
	if _, err := rand.Read(jti); err != nil {
		return "", err
	}
	c := signClaims{
		Issuer: is.Provisioner, Subject: name, Audience: is.Audience(),
		NotBefore: now.Unix(), IssuedAt: now.Unix(), Expiry: now.Add(TokenLifetime).Unix(),
		ID: hex.EncodeToString(jti), SHA: is.RootSHA(), SANs: []string{name},
	}
	return jose.SignJWT(is.Key, c, nil)
}

// NewCSR returns a CSR for name (CN and one DNS SAN) with a fresh EC P-256 key.
func NewCSR(name string) (csrPEM []byte, pub crypto.PublicKey, err error) {
	key, err := keys.Generate("EC", "P-256", 0)
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.CertificateRequest{Subject: pkix.Name{CommonName: name}, DNSNames: []string{name}}
	der, err := x509.CreateCertificateRequest(rand.Reader, tmpl, key)
	if err != nil {
		return nil, nil, fmt.Errorf("creating the CSR for %s: %w", name, err)
	}
	csr, err := x509.ParseCertificateRequest(der)
	if err != nil {
		return nil, nil, err
	}
	return pemutil.EncodeCSR(csr), key.Public(), nil
}

// Mint pre-builds n sign requests named `<prefix>-<i>.bench.test`, each with
// its own token and key, so no crypto is left for the timed phase.
func (is *Issuer) Mint(ctx context.Context, prefix string, n int) ([]Request, error) {
	now := time.Now()
	reqs := make([]Request, n)
	for i := range reqs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		name := fmt.Sprintf("%s-%d.bench.test", prefix, i)
		tok, err := is.MintToken(name, now)
		if err != nil {
			return nil, err
		}
		csr, pub, err := NewCSR(name)
		if err != nil {
			return nil, err
		}
		body, err := json.Marshal(map[string]string{"csr": string(csr), "ott": tok})
		if err != nil {
			return nil, err
		}
		reqs[i] = Request{Name: name, Body: body, Pub: pub}
	}
	return reqs, nil
}

// RandomPrefix is a short random label that keeps names and jtis of
// separate runs against one CA apart.
func RandomPrefix() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
