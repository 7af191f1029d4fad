// Package authority is the X.509 core of the CA: it authorizes requests
// through provisioners and issues, renews, rekeys and revokes certificates,
// recording each before it returns. It knows nothing of HTTP: errors are
// caerr.Error values whose kind the API maps to a status.
package authority

import (
	"crypto/x509"
	"encoding/json"
)

// SignRequest is a /sign request after decoding.
type SignRequest struct {
	CSR *x509.CertificateRequest
	OTT string
	// NotBefore and NotAfter are step's time fields: "" (unset), an RFC 3339
	// time, or a Go duration relative to now (NotAfter: relative to NotBefore
	// when both are given).
	NotBefore, NotAfter string
	// TemplateData is the request's templateData (.Insecure.User).
	TemplateData json.RawMessage
}

// RevokeRequest is a /revoke request after decoding. Exactly one of OTT and
// MTLSCert authorizes it.
type RevokeRequest struct {
	Serial     string // decimal or 0x-hex
	OTT        string
	ReasonCode int
	Reason     string
	Passive    bool
	// MTLSCert is the verified client certificate when the request came over
	// mTLS without a token: it may revoke only itself.
	MTLSCert *x509.Certificate
}

// Issued is a signed certificate and the chain above it (intermediates,
// leaf's issuer first), as /sign, /renew and /rekey return them.
type Issued struct {
	Certificate   *x509.Certificate
	Intermediates []*x509.Certificate
}
