package authority

import (
	"crypto/x509"
	"errors"
	"strings"
	"sync"

	"github.com/stride-pki/stride/internal/caerr"
	"github.com/stride-pki/stride/internal/config"
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

// leafSource returns the parsed template a certificate of prov is rendered
// with; nil means step's built-in leaf, built without rendering.
type leafSource func(prov provisioner.Provisioner) (*template.Template, error)

// provisionerTemplate is the provisioner's own template: inline JSON,
// base64, a file relative to $STRIDEPATH, or (nil) the built-in leaf.
func (a *Authority) provisionerTemplate(prov provisioner.Provisioner) (*template.Template, error) {
	if usesBuiltinLeaf(prov) {
		return nil, nil
	}
	opts := prov.X509Options()
	return a.cachedTemplate(prov.ID(), prov.Name(), opts.Template, opts.TemplateFile)
}

// profileTemplate is an ACME profile's template (opts inline or a file).
func (a *Authority) profileTemplate(profile string, opts *config.TemplateOptions) leafSource {
	return func(prov provisioner.Provisioner) (*template.Template, error) {
		return a.cachedTemplate(prov.ID()+"\x00profile:"+profile, prov.Name()+" profile "+profile, opts.Template, opts.TemplateFile)
	}
}

// cachedTemplate parses a template once per authority (a reload builds a
// new authority and so re-reads it) under key; what names it in errors.
func (a *Authority) cachedTemplate(key, what, inline, file string) (*template.Template, error) {
	c := a.templates
	c.mu.Lock()
	defer c.mu.Unlock()
	if t, ok := c.m[key]; ok {
		return t, nil
	}
	text, err := template.Source(inline, file, a.basePath)
	if err != nil {
		return nil, caerr.Wrap(caerr.Internal, err, "provisioner %s: its x509 template", what)
	}
	t, err := template.Parse(what, text)
	if err != nil {
		return nil, caerr.Wrap(caerr.Internal, err, "provisioner %s: parsing its x509 template", what)
	}
	c.m[key] = t
	return t, nil
}

// renderLeaf runs the provisioner's template for csr and returns the
// certificate template (no serial or validity yet).
func (a *Authority) renderLeaf(prov provisioner.Provisioner, csr *x509.CertificateRequest, data template.Data) (*x509.Certificate, error) {
	return a.render(prov, a.provisionerTemplate, csr, data)
}

// render runs the template src gives (the provisioner's templateData
// merged in) for csr.
func (a *Authority) render(prov provisioner.Provisioner, src leafSource, csr *x509.CertificateRequest, data template.Data) (*x509.Certificate, error) {
	if opts := prov.X509Options(); opts != nil && len(opts.TemplateData) > 0 {
		if err := data.MergeJSON(opts.TemplateData); err != nil {
			return nil, caerr.Wrap(caerr.Internal, err, "provisioner %q: options.x509.templateData", prov.Name())
		}
	}
	t, err := src(prov)
	if err != nil {
		return nil, err
	}
	var c *template.Certificate
	if t == nil {
		c = template.LeafCertificate(data[template.KeySubject].(template.Subject),
			data[template.KeySANs].([]template.SubjectAlternativeName), csr.PublicKey)
	} else if c, err = t.ForRequest(csr, data); err != nil {
		return nil, templateError(err)
	}
	cert, err := c.X509WithSPKI(csr.PublicKey, csr.RawSubjectPublicKeyInfo)
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
