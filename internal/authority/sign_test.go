package authority

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stride-pki/stride/internal/caerr"
	"github.com/stride-pki/stride/internal/config"
	"github.com/stride-pki/stride/internal/template"
)

func TestSignIssuesAndRecords(t *testing.T) {
	c := newTestCA(t, nil)
	iss, _ := c.sign("web.internal")
	cert := iss.Certificate
	if err := cert.CheckSignatureFrom(c.a.issuer); err != nil {
		t.Fatal(err)
	}
	if cert.Subject.CommonName != "web.internal" || len(cert.DNSNames) != 1 || cert.DNSNames[0] != "web.internal" {
		t.Fatalf("names: %v %v", cert.Subject, cert.DNSNames)
	}
	if d := cert.NotAfter.Sub(cert.NotBefore); d != 24*time.Hour+time.Minute {
		t.Fatalf("lifetime %v, want 24h plus 1m of backdate", d)
	}
	if cert.SerialNumber.BitLen() != 121 {
		t.Fatalf("serial has %d bits", cert.SerialNumber.BitLen())
	}
	ext, ok, err := template.FindProvisionerExtension(cert)
	if err != nil || !ok || ext.Name != "admin" || ext.Type != template.ProvisionerTypeJWK || ext.CredentialID == "" {
		t.Fatalf("provisioner extension %+v %v %v", ext, ok, err)
	}
	rec, err := c.store.Certificate(context.Background(), cert.SerialNumber.String())
	if err != nil || rec.Provisioner.Name != "admin" || string(rec.DER) != string(cert.Raw) {
		t.Fatalf("record %+v %v", rec, err)
	}
	if len(iss.Intermediates) != 1 {
		t.Fatalf("chain %d", len(iss.Intermediates))
	}
}

func TestSignRefusals(t *testing.T) {
	c := newTestCA(t, nil)
	ctx := context.Background()
	csr, _ := c.csr("a.internal", "a.internal")
	cases := []struct {
		name string
		req  SignRequest
		kind caerr.Kind
		msg  string
	}{
		{"cn not in token", SignRequest{CSR: csr, OTT: c.token("b.internal", []string{"b.internal"}, "/1.0/sign", nil)},
			caerr.Forbidden, `certificate request common name "a.internal" is not the token subject or one of its SANs`},
		{"sans differ", SignRequest{CSR: csr, OTT: c.token("a.internal", []string{"a.internal", "c.internal"}, "/1.0/sign", nil)},
			caerr.Forbidden, "certificate request dns names [a.internal] do not match the token's [a.internal c.internal]"},
		{"too long", SignRequest{CSR: csr, OTT: c.token("a.internal", []string{"a.internal"}, "/1.0/sign", nil), NotAfter: "48h"},
			caerr.Forbidden, "requested duration of 48h0m0s is more than the authorized maximum certificate duration of 24h0m0s"},
		{"too short", SignRequest{CSR: csr, OTT: c.token("a.internal", []string{"a.internal"}, "/1.0/sign", nil), NotAfter: "1m"},
			caerr.Forbidden, "requested duration of 1m0s is less than the authorized minimum certificate duration of 5m0s"},
		{"bad time", SignRequest{CSR: csr, OTT: c.token("a.internal", []string{"a.internal"}, "/1.0/sign", nil), NotAfter: "tomorrow"},
			caerr.BadRequest, `notAfter "tomorrow" is neither an RFC 3339 time nor a duration`},
		{"revoke audience", SignRequest{CSR: csr, OTT: c.token("a.internal", []string{"a.internal"}, "/1.0/revoke", nil)},
			caerr.Unauthorized, ""},
		{"missing ott", SignRequest{CSR: csr}, caerr.BadRequest, "missing ott"},
		{"cnf mismatch", SignRequest{CSR: csr, OTT: c.token("a.internal", []string{"a.internal"}, "/1.0/sign", func(m map[string]any) {
			m["cnf"] = map[string]any{"x5rt#S256": "AAAA"}
		})}, caerr.Forbidden, "certificate request does not match the token's cnf fingerprint"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.a.Sign(ctx, tc.req)
			wantErr(t, err, tc.kind, tc.msg)
		})
	}
}

func TestSignValidityRequested(t *testing.T) {
	c := newTestCA(t, nil)
	csr, _ := c.csr("v.internal", "v.internal")
	iss, err := c.a.Sign(context.Background(), SignRequest{CSR: csr, OTT: c.token("v.internal", []string{"v.internal"}, "/1.0/sign", nil), NotAfter: "1h"})
	if err != nil {
		t.Fatal(err)
	}
	// As step: notAfter counts from now, notBefore is backdated a minute.
	if d := iss.Certificate.NotAfter.Sub(iss.Certificate.NotBefore); d != time.Hour+time.Minute {
		t.Fatalf("lifetime %v", d)
	}
}

func TestTokenReplayExactlyOneWins(t *testing.T) {
	c := newTestCA(t, nil)
	tok := c.token("r.internal", []string{"r.internal"}, "/1.0/sign", nil)
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins, used := 0, 0
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			csr, _ := c.csr("r.internal", "r.internal")
			_, err := c.a.Sign(context.Background(), SignRequest{CSR: csr, OTT: tok})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				wins++
			case caerr.KindOf(err) == caerr.Unauthorized && caerr.Message(err) == "token already used":
				used++
			default:
				t.Errorf("unexpected error %v", err)
			}
		}()
	}
	wg.Wait()
	if wins != 1 || used != 7 {
		t.Fatalf("%d wins, %d refused as used", wins, used)
	}
}

func TestPolicies(t *testing.T) {
	c := newTestCA(t, func(prov map[string]any, auth *config.Authority) {
		auth.Policy = &config.Policy{X509: &config.X509Policy{Allow: &config.X509Names{DNSDomains: []string{"*.internal"}}}}
		prov["policy"] = map[string]any{"x509": map[string]any{"deny": map[string]any{"dns": []string{"secret.internal"}}}}
	})
	c.sign("ok.internal")
	for name, want := range map[string]string{
		"evil.example":    `dns name "evil.example" not allowed`,
		"secret.internal": `dns name "secret.internal" not allowed`,
	} {
		csr, _ := c.csr(name, name)
		_, err := c.a.Sign(context.Background(), SignRequest{CSR: csr, OTT: c.token(name, []string{name}, "/1.0/sign", nil)})
		wantErr(t, err, caerr.Forbidden, want)
		if _, err := c.store.Certificate(context.Background(), "0"); err == nil {
			t.Fatal("store changed")
		}
	}
}

func TestCustomTemplates(t *testing.T) {
	tmpl := `{"subject": {"commonName": {{ toJson .Subject.CommonName }}, "organization": {{ toJson .org }}},
		"sans": {{ toJson .SANs }}, "keyUsage": ["digitalSignature"], "extKeyUsage": ["clientAuth"]}`
	c := newTestCA(t, func(prov map[string]any, _ *config.Authority) {
		prov["options"] = map[string]any{"x509": map[string]any{"template": tmpl, "templateData": map[string]any{"org": "Acme"}}}
	})
	iss, _ := c.sign("t.internal")
	if got := iss.Certificate.Subject.Organization; len(got) != 1 || got[0] != "Acme" {
		t.Fatalf("organization %v", got)
	}
	if eku := iss.Certificate.ExtKeyUsage; len(eku) != 1 {
		t.Fatalf("eku %v", eku)
	}

	failing := newTestCA(t, func(prov map[string]any, _ *config.Authority) {
		prov["options"] = map[string]any{"x509": map[string]any{"template": `{{ fail "names under .internal only" }}`}}
	})
	csr, _ := failing.csr("f.internal", "f.internal")
	_, err := failing.a.Sign(context.Background(), SignRequest{CSR: csr, OTT: failing.token("f.internal", []string{"f.internal"}, "/1.0/sign", nil)})
	wantErr(t, err, caerr.BadRequest, "names under .internal only")

	broken := newTestCA(t, func(prov map[string]any, _ *config.Authority) {
		prov["options"] = map[string]any{"x509": map[string]any{"template": `{"subject": {{ .Subject.CommonName }}}`}}
	})
	csr, _ = broken.csr("b.internal", "b.internal")
	_, err = broken.a.Sign(context.Background(), SignRequest{CSR: csr, OTT: broken.token("b.internal", []string{"b.internal"}, "/1.0/sign", nil)})
	wantErr(t, err, caerr.BadRequest, "")
	if !strings.Contains(caerr.Message(err), "invalid JSON") {
		t.Fatalf("message %q", caerr.Message(err))
	}
}

func TestDNDefaults(t *testing.T) {
	c := newTestCA(t, func(_ map[string]any, auth *config.Authority) {
		auth.Template = &config.ASN1DN{Country: "NL", Organization: "Stride"}
	})
	iss, _ := c.sign("dn.internal")
	s := iss.Certificate.Subject
	if len(s.Country) != 1 || s.Country[0] != "NL" || s.Organization[0] != "Stride" || s.CommonName != "dn.internal" {
		t.Fatalf("subject %v", s)
	}
}

func TestSerialsAreRandomAndOrdered(t *testing.T) {
	now := time.Now()
	a, err := newSerial(now)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := newSerial(now.Add(time.Millisecond))
	c, _ := newSerial(now.Add(time.Millisecond))
	if len(a.String()) != 37 || len(b.String()) != 37 {
		t.Fatalf("decimal lengths %d %d", len(a.String()), len(b.String()))
	}
	if !(a.String() < b.String()) {
		t.Fatal("a later serial does not sort after an earlier one")
	}
	if b.Cmp(c) == 0 {
		t.Fatal("two serials of the same millisecond are equal: no randomness")
	}
	if a.BitLen() != 121 {
		t.Fatalf("bit length %d", a.BitLen())
	}
}
