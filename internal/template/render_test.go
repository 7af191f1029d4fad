package template

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"net"
	"net/url"
	"strings"
	"testing"
)

func TestBuiltinTemplates(t *testing.T) {
	ecKey := newKey(t)
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	csrTmpl := &x509.CertificateRequest{
		Subject:        pkix.Name{CommonName: "csr-cn", Organization: []string{"CSR Org"}},
		DNSNames:       []string{"csr.example"},
		EmailAddresses: []string{"csr@example.com"},
		IPAddresses:    []net.IP{net.ParseIP("192.0.2.9")},
		URIs:           []*url.URL{{Scheme: "spiffe", Host: "td", Path: "/csr"}},
	}
	ecCSR := newCSR(t, ecKey, csrTmpl)
	rsaCSR := newCSR(t, rsaKey, csrTmpl)
	tokenData := func() Data { return NewData("token-cn", []string{"token.example", "10.0.0.1"}) }
	digital := x509.KeyUsageDigitalSignature
	both := []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}

	tests := []struct {
		name  string
		text  string
		cr    *x509.CertificateRequest
		check func(t *testing.T, c *x509.Certificate)
	}{
		{"leaf ec", LeafTemplate, ecCSR, func(t *testing.T, c *x509.Certificate) {
			eq(t, c.Subject.CommonName, "token-cn")
			eq(t, c.DNSNames, []string{"token.example"})
			eq(t, c.IPAddresses[0].String(), "10.0.0.1")
			eq(t, c.KeyUsage, digital)
			eq(t, c.ExtKeyUsage, both)
			eq(t, c.BasicConstraintsValid, false)
		}},
		{"leaf rsa", LeafTemplate, rsaCSR, func(t *testing.T, c *x509.Certificate) {
			eq(t, c.KeyUsage, digital|x509.KeyUsageKeyEncipherment)
		}},
		{"iid leaf", IIDLeafTemplate, ecCSR, func(t *testing.T, c *x509.Certificate) {
			eq(t, c.Subject.CommonName, "csr-cn")
			eq(t, c.Subject.Organization, []string(nil))
			eq(t, c.DNSNames, []string{"token.example"})
			eq(t, c.ExtKeyUsage, both)
		}},
		{"attested leaf", AttestedLeafTemplate, ecCSR, func(t *testing.T, c *x509.Certificate) {
			eq(t, c.ExtKeyUsage, []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth})
		}},
		{"admin leaf", AdminLeafTemplate, rsaCSR, func(t *testing.T, c *x509.Certificate) {
			eq(t, c.Subject.CommonName, "csr-cn")
			eq(t, c.Subject.Organization, []string{"CSR Org"})
			eq(t, c.DNSNames, []string{"csr.example"})
			eq(t, c.EmailAddresses, []string{"csr@example.com"})
			eq(t, c.IPAddresses[0].String(), "192.0.2.9")
			eq(t, c.URIs[0].String(), "spiffe://td/csr")
			eq(t, c.KeyUsage, digital|x509.KeyUsageKeyEncipherment)
			eq(t, c.ExtKeyUsage, both)
		}},
		{"intermediate", IntermediateTemplate, ecCSR, func(t *testing.T, c *x509.Certificate) {
			eq(t, c.IsCA, true)
			eq(t, c.MaxPathLenZero, true)
			eq(t, c.KeyUsage, x509.KeyUsageCertSign|x509.KeyUsageCRLSign)
			eq(t, len(c.DNSNames), 0)
		}},
		{"csr pass-through", CertificateRequestTemplate, ecCSR, func(t *testing.T, c *x509.Certificate) {
			eq(t, c.Subject.CommonName, "csr-cn")
			eq(t, c.RawSubject, ecCSR.RawSubject)
			eq(t, c.DNSNames, []string{"csr.example"})
			eq(t, c.URIs[0].String(), "spiffe://td/csr")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewCertificate(tt.cr, tt.text, tokenData())
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, sign(t, c, tt.cr.PublicKey))
		})
	}
}

func TestBuiltinTemplatesFromKey(t *testing.T) {
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	data := NewData("Acme Root CA", nil)

	root, err := NewCertificateFromKey(edKey.Public(), RootTemplate, data)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, root.Issuer.CommonName, "Acme Root CA")
	rc := sign(t, root, edKey.Public())
	eq(t, rc.IsCA, true)
	eq(t, rc.MaxPathLen, 1)
	eq(t, rc.KeyUsage, x509.KeyUsageCertSign|x509.KeyUsageCRLSign)

	self, err := NewCertificateFromKey(rsaKey.Public(), SelfSignedLeafTemplate, NewData("self", []string{"self.example"}))
	if err != nil {
		t.Fatal(err)
	}
	sc := sign(t, self, rsaKey.Public())
	eq(t, sc.KeyUsage, x509.KeyUsageDigitalSignature|x509.KeyUsageKeyEncipherment)
	eq(t, sc.DNSNames, []string{"self.example"})
	eq(t, self.Issuer.CommonName, "self")
}

// TestInjection: names from a request are hostile; the built-ins must keep
// them as string values.
func TestInjection(t *testing.T) {
	evilCN := `a", "basicConstraints": {"isCA": true}, "x": "`
	evilSAN := `x"}], "keyUsage": ["certSign"], "sans": [{"type": "dns", "value": "y`
	key := newKey(t)
	cr := newCSR(t, key, &x509.CertificateRequest{Subject: pkix.Name{CommonName: evilCN}})
	for name, text := range map[string]string{"leaf": LeafTemplate, "iid": IIDLeafTemplate, "admin": AdminLeafTemplate, "csr": CertificateRequestTemplate} {
		t.Run(name, func(t *testing.T) {
			data := NewData(evilCN, []string{evilSAN})
			data.SetUserData(map[string]any{"evil": evilCN})
			c, err := NewCertificate(cr, text, data)
			if err != nil {
				t.Fatal(err)
			}
			tmpl, err := c.X509(key.Public())
			if err != nil {
				t.Fatal(err)
			}
			eq(t, tmpl.Subject.CommonName, evilCN)
			eq(t, tmpl.IsCA, false)
			eq(t, tmpl.BasicConstraintsValid, false)
			if tmpl.KeyUsage&x509.KeyUsageCertSign != 0 {
				t.Fatal("injected certSign")
			}
			if name == "leaf" {
				eq(t, tmpl.DNSNames, []string{evilSAN})
			}
		})
	}
}

func TestFail(t *testing.T) {
	text := `{{ if not .Token.email }}{{ fail "an email claim is required" }}{{ end }}{"subject": {{ toJson .Subject }}}`
	data := NewData("cn", nil)
	data.SetToken(map[string]any{})
	_, err := Render(text, data)
	var fe *FailError
	if !errors.As(err, &fe) {
		t.Fatalf("want *FailError, got %T %v", err, err)
	}
	eq(t, err.Error(), "an email claim is required")

	data.SetToken(map[string]any{"email": "a@b"})
	if _, err := Render(text, data); err != nil {
		t.Fatal(err)
	}
}

func TestNoEnvironmentFunctions(t *testing.T) {
	t.Setenv("STRIDE_TEMPLATE_SECRET", "s3cret")
	for _, fn := range []string{`env "STRIDE_TEMPLATE_SECRET"`, `expandenv "$STRIDE_TEMPLATE_SECRET"`, `getHostByName "localhost"`} {
		_, err := Parse("t", `{{ `+fn+` }}`)
		if err == nil || !strings.Contains(err.Error(), "not defined") {
			t.Errorf("%s: want 'not defined', got %v", fn, err)
		}
	}
	// The rest of sprig is there.
	out, err := Render(`{{ "abc" | upper }} {{ list 1 2 | len }} {{ "x" | b64enc }}`, nil)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, string(out), "ABC 2 eA==")
}

func TestRenderErrors(t *testing.T) {
	if _, err := Parse("bad", `{{ if }}`); err == nil {
		t.Error("want parse error")
	}
	_, err := NewCertificate(newCSR(t, newKey(t), &x509.CertificateRequest{}), `{"subject": {{ .Nope.Deeper }}`, nil)
	if err == nil {
		t.Error("want execution or JSON error")
	}
	_, err = NewCertificateFromKey(newKey(t).Public(), `{"keyUsage": "nonsense"}`, nil)
	if !errors.Is(err, ErrInvalidJSON) {
		t.Errorf("want ErrInvalidJSON, got %v", err)
	}
}

func TestDataHelpers(t *testing.T) {
	d := NewData("cn", []string{"a.example"})
	d.SetCommonName("cn2")
	d.SetToken(map[string]any{"sub": "me"})
	d.SetUserData(map[string]any{"team": "ops"})
	d.SetWebhook("people", map[string]any{"role": "eng"})
	d.SetAuthorizationCertificate(&x509.Certificate{Subject: pkix.Name{CommonName: "x5c"}})
	d.Set(KeyInsecure, map[string]any{"other": 1})
	d.SetInsecure("more", 2)
	if err := d.MergeJSON([]byte(`{"team":"provisioner","Subject":"shadow","region":"eu"}`)); err != nil {
		t.Fatal(err)
	}
	out, err := Render(`{{ .Subject.CommonName }} {{ .Token.sub }} {{ .Insecure.other }} {{ .Insecure.more }} `+
		`{{ .Webhooks.people.role }} {{ .AuthorizationCrt.Subject.CommonName }} {{ .region }} {{ (index .SANs 0).Value }}`, d)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, string(out), "cn2 me 1 2 eng x5c eu a.example")
	if err := d.MergeJSON([]byte(`[1]`)); err == nil {
		t.Error("want error for non-object templateData")
	}
}

func TestCertificateRequestView(t *testing.T) {
	key := newKey(t)
	cr := newCSR(t, key, &x509.CertificateRequest{
		Subject:  pkix.Name{CommonName: "v"},
		DNSNames: []string{"d.example"}, URIs: []*url.URL{{Scheme: "urn", Opaque: "x"}},
	})
	d := Data{}
	d.SetCertificateRequest(cr)
	out, err := Render(`{{ .Insecure.CR.Subject.CommonName }} {{ range .Insecure.CR.SANs }}{{ .Type }}={{ .Value }} {{ end }}{{ typeOf .Insecure.CR.PublicKey }}`, d)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, string(out), "v dns=d.example uri=urn:x *ecdsa.PublicKey")
}

// TestTemplateReuse renders one parsed template from many goroutines, as the
// online CA does.
func TestTemplateReuse(t *testing.T) {
	tmpl, err := Parse("leaf", LeafTemplate)
	if err != nil {
		t.Fatal(err)
	}
	key := newKey(t)
	cr := newCSR(t, key, &x509.CertificateRequest{})
	errs := make(chan error, 16)
	for i := range 16 {
		go func() {
			name := strings.Repeat("a", i+1) + ".example"
			c, err := tmpl.ForRequest(cr, NewData(name, []string{name}))
			if err == nil && c.Subject.CommonName != name {
				err = errors.New("got " + c.Subject.CommonName)
			}
			errs <- err
		}()
	}
	for range 16 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

func TestNullFields(t *testing.T) {
	c, err := ParseCertificateJSON([]byte(`{"subject":null,"sans":null,"dnsNames":null,"keyUsage":null,"basicConstraints":null}`))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Subject.IsZero() || c.SANs != nil || c.BasicConstraints != nil {
		t.Errorf("nulls decoded to values: %+v", c)
	}
}
