package e2e

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stride-pki/stride/internal/config"
	"github.com/stride-pki/stride/internal/jose"
)

// minter makes step-shaped JWK one-time tokens in Go with a provisioner's
// private key, decrypted from ca.json's encryptedKey.
type minter struct {
	ca   *runningCA
	name string           // provisioner name: the token's iss
	key  *jose.JSONWebKey // private; KeyID is the provisioner's kid
}

func (ca *runningCA) minter(t *testing.T, provisioner string) *minter {
	t.Helper()
	cfg, err := config.Load(ca.CAConfig)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range cfg.Authority.Provisioners {
		if p.Name() != provisioner {
			continue
		}
		f, err := p.JWK()
		if err != nil {
			t.Fatal(err)
		}
		key, err := jose.DecryptJWK(f.EncryptedKey, []byte(testPassword))
		if err != nil {
			t.Fatalf("decrypting %s's key: %v", provisioner, err)
		}
		return &minter{ca: ca, name: provisioner, key: key}
	}
	t.Fatalf("no provisioner %q in %s", provisioner, ca.CAConfig)
	return nil
}

// claims are what `step ca token` puts in a sign token, valid for 5 min.
func (m *minter) claims(sub, aud string, sans ...string) map[string]any {
	now := time.Now()
	jti := make([]byte, 32)
	rand.Read(jti)
	c := map[string]any{"iss": m.name, "sub": sub, "aud": aud, "iat": now.Unix(), "nbf": now.Unix(),
		"exp": now.Add(5 * time.Minute).Unix(), "jti": hex.EncodeToString(jti), "sha": m.ca.Fingerprint}
	if len(sans) > 0 {
		c["sans"] = sans
	}
	return c
}

// signToken is a valid sign token for sub and sans (default [sub]).
func (m *minter) signToken(t *testing.T, sub string, sans ...string) string {
	t.Helper()
	if len(sans) == 0 {
		sans = []string{sub}
	}
	return m.sign(t, m.claims(sub, m.ca.URL+"/1.0/sign", sans...), m.key)
}

func (m *minter) sign(t *testing.T, claims map[string]any, key *jose.JSONWebKey) string {
	t.Helper()
	tok, err := jose.SignJWT(key, claims, nil)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// makeCSR is a PEM CSR with a fresh P-256 key, CN cn and DNS names dns.
func makeCSR(t *testing.T, cn string, dns ...string) string {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject: pkix.Name{CommonName: cn}, DNSNames: dns}, k)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}))
}

// apiError is the CA API's error body.
type apiError struct {
	Status  int    `json:"status"`
	Message string `json:"message"`
}

// post sends body (JSON-encoded unless string or []byte) and returns the
// status and the body read.
func (ca *runningCA) post(t *testing.T, c *http.Client, path string, body any) (int, []byte) {
	t.Helper()
	var b []byte
	switch v := body.(type) {
	case string:
		b = []byte(v)
	case []byte:
		b = v
	default:
		var err error
		if b, err = json.Marshal(v); err != nil {
			t.Fatal(err)
		}
	}
	resp, err := c.Post(ca.URL+path, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, out
}
