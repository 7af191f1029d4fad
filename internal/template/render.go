package template

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	gotemplate "text/template"
)

// Template is a parsed X.509 template. Parse it once (a provisioner does so
// when it loads, so a syntax error shows at startup) and render it per
// request; a Template is safe for concurrent use.
type Template struct {
	t *gotemplate.Template
}

// Parse parses X.509 template source with X509FuncMap.
func Parse(name, text string) (*Template, error) {
	t, err := gotemplate.New(name).Funcs(X509FuncMap()).Parse(text)
	if err != nil {
		return nil, fmt.Errorf("parsing template %s: %w", name, err)
	}
	return &Template{t: t}, nil
}

// Render executes the template. An error raised with `fail` is returned as
// the *FailError itself, so callers can show its message unchanged.
func (t *Template) Render(data Data) ([]byte, error) {
	var buf bytes.Buffer
	if err := t.t.Execute(&buf, map[string]any(data)); err != nil {
		var fe *FailError
		if errors.As(err, &fe) {
			return nil, fe
		}
		return nil, fmt.Errorf("rendering template %s: %w", t.t.Name(), err)
	}
	return buf.Bytes(), nil
}

// Certificate renders the template and decodes the result. Templates that
// read .Insecure.CR need it set; ForRequest and ForKey do that.
func (t *Template) Certificate(data Data) (*Certificate, error) {
	out, err := t.Render(data)
	if err != nil {
		return nil, err
	}
	c, err := ParseCertificateJSON(out)
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", t.t.Name(), err)
	}
	return c, nil
}

// Render parses and renders text in one step.
func Render(text string, data Data) ([]byte, error) {
	t, err := Parse("x509", text)
	if err != nil {
		return nil, err
	}
	return t.Render(data)
}

// ForRequest renders the template for a CSR: it sets .Insecure.CR from cr
// (overwriting any earlier value, so the view always matches the key being
// certified) and decodes the result. Convert it with X509(cr.PublicKey).
// data may be nil; it is modified.
func (t *Template) ForRequest(cr *x509.CertificateRequest, data Data) (*Certificate, error) {
	if data == nil {
		data = Data{}
	}
	data.SetCertificateRequest(cr)
	return t.Certificate(data)
}

// ForKey renders the template where there is no CSR (roots, intermediates
// and self-signed certificates made offline). .Insecure.CR is set to a view
// holding only the public key, so templates that look at
// .Insecure.CR.PublicKey, like the built-in leaf, still work.
func (t *Template) ForKey(pub crypto.PublicKey, data Data) (*Certificate, error) {
	if data == nil {
		data = Data{}
	}
	data.SetInsecure(KeyCR, &CertificateRequest{PublicKey: pub, PublicKeyAlgorithm: publicKeyAlgorithm(pub)})
	return t.Certificate(data)
}

// NewCertificate parses text and calls ForRequest; callers that render the
// same template often should Parse it once instead.
func NewCertificate(cr *x509.CertificateRequest, text string, data Data) (*Certificate, error) {
	t, err := Parse("x509", text)
	if err != nil {
		return nil, err
	}
	return t.ForRequest(cr, data)
}

// NewCertificateFromKey parses text and calls ForKey.
func NewCertificateFromKey(pub crypto.PublicKey, text string, data Data) (*Certificate, error) {
	t, err := Parse("x509", text)
	if err != nil {
		return nil, err
	}
	return t.ForKey(pub, data)
}

// publicKeyAlgorithm names the algorithm of a key the way a parsed CSR would.
func publicKeyAlgorithm(pub crypto.PublicKey) x509.PublicKeyAlgorithm {
	switch pub.(type) {
	case *rsa.PublicKey:
		return x509.RSA
	case *ecdsa.PublicKey:
		return x509.ECDSA
	case ed25519.PublicKey:
		return x509.Ed25519
	}
	return x509.UnknownPublicKeyAlgorithm
}
