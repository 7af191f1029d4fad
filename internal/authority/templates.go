package authority

import (
	"crypto/x509"
	"errors"
	"strings"
	"sync"

	"github.com/stride-pki/stride/internal/caerr"
	"github.com/stride-pki/stride/internal/provisioner"
	"github.com/stride-pki/stride/internal/template"
)

// templateCache keeps each provisioner's parsed X.509 template, so a
// template file is read and parsed once per authority (a reload builds a new
// authority and so re-reads it).
type templateCache struct {
	mu sync.Mutex
	m  map[string]*template.Template
}

func newTemplateCache() *templateCache { return &templateCache{m: map[string]*template.Template{}} }

// leafTemplate returns the provisioner's template: inline JSON, base64,
// a file relative to $STRIDEPATH, or step's built-in leaf.
func (a *Authority) leafTemplate(prov provisioner.Provisioner) (*template.Template, error) {
	c := a.templates
	c.mu.Lock()
	defer c.mu.Unlock()
	if t, ok := c.m[prov.ID()]; ok {
		return t, nil
	}
	text, err := a.templateText(prov)
	if err != nil {
		return nil, err
	}
	t, err := template.Parse(prov.Name(), text)
	if err != nil {
		return nil, caerr.Wrap(caerr.Internal, err, "provisioner %q: parsing its x509 template", prov.Name())
	}
	c.m[prov.ID()] = t
	return t, nil
}

func (a *Authority) templateText(prov provisioner.Provisioner) (string, error) {
	opts := prov.X509Options()
	if opts == nil {
		return template.LeafTemplate, nil
	}
	text, err := template.Source(opts.Template, opts.TemplateFile, a.basePath)
	switch {
	case errors.Is(err, template.ErrNoSource):
		return template.LeafTemplate, nil
	case err != nil:
		return "", caerr.Wrap(caerr.Internal, err, "provisioner %q: options.x509", prov.Name())
	}
	return text, nil
}

// renderLeaf runs the provisioner's template for csr and returns the
// certificate template (no serial or validity yet).
func (a *Authority) renderLeaf(prov provisioner.Provisioner, csr *x509.CertificateRequest, data template.Data) (*x509.Certificate, error) {
	if opts := prov.X509Options(); opts != nil && len(opts.TemplateData) > 0 {
		if err := data.MergeJSON(opts.TemplateData); err != nil {
			return nil, caerr.Wrap(caerr.Internal, err, "provisioner %q: options.x509.templateData", prov.Name())
		}
	}
	var c *template.Certificate
	if usesBuiltinLeaf(prov) {
		c = template.LeafCertificate(data[template.KeySubject].(template.Subject),
			data[template.KeySANs].([]template.SubjectAlternativeName), csr.PublicKey)
	} else {
		t, err := a.leafTemplate(prov)
		if err != nil {
			return nil, err
		}
		if c, err = t.ForRequest(csr, data); err != nil {
			return nil, templateError(err)
		}
	}
	cert, err := c.X509(csr.PublicKey)
	if err != nil {
		return nil, caerr.BadRequestf("the certificate template is not valid: %v", err)
	}
	return cert, nil
}

// usesBuiltinLeaf reports whether prov has no template of its own, so the
// built-in leaf can be built without rendering (same result, see
// template.LeafCertificate).
func usesBuiltinLeaf(prov provisioner.Provisioner) bool {
	o := prov.X509Options()
	return o == nil || (strings.TrimSpace(o.Template) == "" && o.TemplateFile == "")
}

// templateError: `fail` is the template's message to the requester (400);
// output that is not a certificate is reported as a bad request too, since
// request data shapes it; anything else is the operator's problem.
func templateError(err error) error {
	var fail *template.FailError
	switch {
	case errors.As(err, &fail):
		return caerr.BadRequestf("%s", fail.Message)
	case errors.Is(err, template.ErrInvalidJSON):
		return caerr.BadRequestf("the certificate template produced invalid JSON: %v", err)
	}
	return caerr.Wrap(caerr.Internal, err, "rendering the certificate template")
}
