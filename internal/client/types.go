package client

import (
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/stride-pki/stride/internal/jose"
	"github.com/stride-pki/stride/internal/pemutil"
)

// Wire types of the CA API, field names exactly step's (reference §1.2).

// HealthResponse is GET /health.
type HealthResponse struct {
	Status string `json:"status"`
}

// VersionResponse is GET /version.
type VersionResponse struct {
	Version                     string `json:"version"`
	RequireClientAuthentication bool   `json:"requireClientAuthentication,omitempty"`
}

// rootResponse is GET /root/{sha}.
type rootResponse struct {
	CA string `json:"ca"`
}

// certsResponse is GET /roots and /federation.
type certsResponse struct {
	Certificates []string `json:"crts"`
}

// SignRequest is POST /sign. NotBefore and NotAfter are RFC 3339 times or
// Go durations ("24h"); empty leaves them to the CA.
type SignRequest struct {
	CSR          string          `json:"csr"` // PEM
	OTT          string          `json:"ott"`
	NotBefore    string          `json:"notBefore,omitempty"`
	NotAfter     string          `json:"notAfter,omitempty"`
	TemplateData json.RawMessage `json:"templateData,omitempty"`
}

// SignResponse is the answer of /sign, /renew and /rekey.
type SignResponse struct {
	ServerPEM    string          `json:"crt"`
	CaPEM        string          `json:"ca"`
	CertChainPEM []string        `json:"certChain,omitempty"`
	TLSOptions   json.RawMessage `json:"tlsOptions,omitempty"`
}

// Chain returns the issued chain, leaf first: certChain when the CA sent
// it, else crt and ca, as step's CLI does.
func (r *SignResponse) Chain() ([]*x509.Certificate, error) {
	pems := r.CertChainPEM
	if len(pems) == 0 {
		pems = []string{r.ServerPEM, r.CaPEM}
	}
	var out []*x509.Certificate
	for _, p := range pems {
		if p == "" {
			continue
		}
		certs, err := pemutil.ParseCertificates([]byte(p))
		if err != nil {
			return nil, fmt.Errorf("the CA sent an invalid certificate: %w", err)
		}
		out = append(out, certs...)
	}
	if len(out) == 0 {
		return nil, errors.New("the CA sent no certificate")
	}
	return out, nil
}

// rekeyRequest is POST /rekey.
type rekeyRequest struct {
	CSR string `json:"csr"`
}

// RevokeRequest is POST /revoke. Serial is decimal (or 0x-hex); OTT is empty
// in mTLS mode. step always sends Passive true.
type RevokeRequest struct {
	Serial     string `json:"serial"`
	OTT        string `json:"ott"`
	ReasonCode int    `json:"reasonCode"`
	Reason     string `json:"reason"`
	Passive    bool   `json:"passive"`
}

// RevokeResponse is the answer of /revoke.
type RevokeResponse struct {
	Status string `json:"status"`
}

// ProvisionersResponse is one page of GET /provisioners.
type ProvisionersResponse struct {
	Provisioners []Provisioner `json:"provisioners"`
	NextCursor   string        `json:"nextCursor"`
}

// Provisioner is one listed provisioner: the fields the CLI reads, and the
// whole ca.json object in Raw.
type Provisioner struct {
	Type         string          `json:"type"`
	Name         string          `json:"name"`
	Key          json.RawMessage `json:"key,omitempty"`
	EncryptedKey string          `json:"encryptedKey,omitempty"`
	Raw          json.RawMessage `json:"-"`
}

// UnmarshalJSON keeps the raw object beside the decoded fields.
func (p *Provisioner) UnmarshalJSON(b []byte) error {
	type plain Provisioner
	var v plain
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*p = Provisioner(v)
	p.Raw = append(json.RawMessage(nil), b...)
	return nil
}

// MarshalJSON writes the raw object back when there is one.
func (p Provisioner) MarshalJSON() ([]byte, error) {
	if len(p.Raw) > 0 {
		return p.Raw, nil
	}
	type plain Provisioner
	return json.Marshal(plain(p))
}

// JWK returns the public key of a JWK provisioner.
func (p *Provisioner) JWK() (*jose.JSONWebKey, error) {
	if len(p.Key) == 0 {
		return nil, fmt.Errorf("provisioner %q has no key", p.Name)
	}
	return jose.ParseJWK(p.Key)
}

// KeyID is the JWK provisioner's kid ("" for other types).
func (p *Provisioner) KeyID() string {
	var k struct {
		Kid string `json:"kid"`
	}
	_ = json.Unmarshal(p.Key, &k)
	return k.Kid
}

// provisionerKeyResponse is GET /provisioners/{kid}/encrypted-key.
type provisionerKeyResponse struct {
	Key string `json:"key"`
}
