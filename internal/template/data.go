package template

import (
	"crypto"
	"crypto/x509"
	"encoding/json"
	"fmt"
)

// Keys of the template data, as step's templates spell them.
const (
	KeySubject            = "Subject"
	KeySANs               = "SANs"
	KeyToken              = "Token"
	KeyInsecure           = "Insecure"
	KeyUser               = "User"
	KeyCR                 = "CR"
	KeyAuthorizationCrt   = "AuthorizationCrt"
	KeyAuthorizationChain = "AuthorizationChain"
	KeyWebhooks           = "Webhooks"
)

// Data is what a template sees as "." . Values under .Insecure come from the
// requester and must be treated as hostile by template authors; the rest is
// verified (token claims, checked SANs) or configured by the operator.
type Data map[string]any

// NewData returns data with .Subject.CommonName and .SANs set, the minimum
// every leaf template uses.
func NewData(commonName string, sans []string) Data {
	d := Data{}
	d.SetSubject(Subject{CommonName: commonName})
	d.SetSANs(SANsFromStrings(sans))
	return d
}

// Set sets a top-level key.
func (d Data) Set(key string, v any) { d[key] = v }

// SetInsecure sets a key under .Insecure.
func (d Data) SetInsecure(key string, v any) {
	switch m := d[KeyInsecure].(type) {
	case Data:
		m[key] = v
	case map[string]any:
		m[key] = v
	default:
		d[KeyInsecure] = Data{key: v}
	}
}

// SetSubject sets .Subject.
func (d Data) SetSubject(s Subject) { d[KeySubject] = s }

// SetCommonName sets .Subject.CommonName, keeping the other attributes.
func (d Data) SetCommonName(cn string) {
	s, _ := d[KeySubject].(Subject)
	s.CommonName = cn
	d[KeySubject] = s
}

// SetSANs sets .SANs; see SANsFromStrings for untyped names.
func (d Data) SetSANs(sans []SubjectAlternativeName) { d[KeySANs] = sans }

// SetToken sets .Token, the verified claims of the authorizing token.
func (d Data) SetToken(claims any) { d[KeyToken] = claims }

// SetUserData sets .Insecure.User, the requester's own templateData.
func (d Data) SetUserData(v any) { d.SetInsecure(KeyUser, v) }

// SetCertificateRequest sets .Insecure.CR from a CSR.
func (d Data) SetCertificateRequest(cr *x509.CertificateRequest) {
	d.SetInsecure(KeyCR, NewCertificateRequest(cr))
}

// SetAuthorizationCertificate sets .AuthorizationCrt, the certificate that
// authorized the request (X5C leaf).
func (d Data) SetAuthorizationCertificate(crt *x509.Certificate) { d[KeyAuthorizationCrt] = crt }

// SetAuthorizationCertificateChain sets .AuthorizationChain.
func (d Data) SetAuthorizationCertificateChain(chain []*x509.Certificate) {
	d[KeyAuthorizationChain] = chain
}

// SetWebhook sets .Webhooks.<name> to the data an enriching webhook returned.
func (d Data) SetWebhook(name string, v any) {
	m, ok := d[KeyWebhooks].(map[string]any)
	if !ok {
		m = map[string]any{}
		d[KeyWebhooks] = m
	}
	m[name] = v
}

// Merge adds the provisioner's templateData at the top level. Keys already
// set are kept, so call it after the request-derived values: operator data
// cannot shadow .Subject or .SANs by accident.
func (d Data) Merge(m map[string]any) {
	for k, v := range m {
		if _, exists := d[k]; !exists {
			d[k] = v
		}
	}
}

// MergeJSON is Merge for the raw `templateData` of a provisioner's options.
func (d Data) MergeJSON(raw []byte) error {
	if len(raw) == 0 {
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return fmt.Errorf("templateData must be a JSON object: %w", err)
	}
	d.Merge(m)
	return nil
}

// CertificateRequest is the view of a CSR that templates see as .Insecure.CR.
// Its JSON is a valid Certificate, which is how the CSR pass-through template
// `{{ toJson .Insecure.CR }}` works; the key and signature stay out of it.
type CertificateRequest struct {
	Subject            Subject                  `json:"subject,omitzero"`
	RawSubject         []byte                   `json:"rawSubject,omitempty"`
	DNSNames           MultiString              `json:"dnsNames,omitempty"`
	EmailAddresses     MultiString              `json:"emailAddresses,omitempty"`
	IPAddresses        MultiIP                  `json:"ipAddresses,omitempty"`
	URIs               MultiURL                 `json:"uris,omitempty"`
	SANs               []SubjectAlternativeName `json:"-"`
	Extensions         []Extension              `json:"extensions,omitempty"`
	PublicKey          crypto.PublicKey         `json:"-"`
	PublicKeyAlgorithm x509.PublicKeyAlgorithm  `json:"-"`
	SignatureAlgorithm x509.SignatureAlgorithm  `json:"-"`
}

// NewCertificateRequest builds the template view of a CSR. SANs lists every
// name of the CSR, typed, for templates that want one list.
func NewCertificateRequest(cr *x509.CertificateRequest) *CertificateRequest {
	r := &CertificateRequest{
		Subject:            SubjectFromPKIX(cr.Subject),
		RawSubject:         cr.RawSubject,
		DNSNames:           cr.DNSNames,
		EmailAddresses:     cr.EmailAddresses,
		IPAddresses:        cr.IPAddresses,
		URIs:               cr.URIs,
		PublicKey:          cr.PublicKey,
		PublicKeyAlgorithm: cr.PublicKeyAlgorithm,
		SignatureAlgorithm: cr.SignatureAlgorithm,
	}
	for _, v := range cr.DNSNames {
		r.SANs = append(r.SANs, SubjectAlternativeName{Type: SANTypeDNS, Value: v})
	}
	for _, v := range cr.EmailAddresses {
		r.SANs = append(r.SANs, SubjectAlternativeName{Type: SANTypeEmail, Value: v})
	}
	for _, v := range cr.IPAddresses {
		r.SANs = append(r.SANs, SubjectAlternativeName{Type: SANTypeIP, Value: v.String()})
	}
	for _, v := range cr.URIs {
		r.SANs = append(r.SANs, SubjectAlternativeName{Type: SANTypeURI, Value: v.String()})
	}
	for _, e := range cr.Extensions {
		r.Extensions = append(r.Extensions, Extension{ID: ObjectIdentifier(e.Id), Critical: e.Critical, Value: e.Value})
	}
	return r
}
