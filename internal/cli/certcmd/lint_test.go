package certcmd

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"math/big"
	"strings"
	"testing"
	"time"
)

func TestLint(t *testing.T) {
	now := time.Now()
	p := newTestPKI(t, now.Add(-time.Hour), now.Add(time.Hour))
	// A leaf that may sign certificates without being a CA breaks RFC 5280.
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	bad := &x509.Certificate{
		SerialNumber: big.NewInt(42), Subject: pkix.Name{CommonName: "bad.example.com"},
		DNSNames: []string{"bad.example.com"}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, bad, p.inter, key.Public(), p.interKey)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	badPath := writePEM(t, p.dir, "bad.crt", c)

	tests := []struct {
		name string
		args []string
		code int
		out  string // substring of stdout
		msg  string
	}{
		{"clean leaf", []string{p.leafPath}, 0, "w_ext_subject_key_identifier_missing_sub_cert", ""},
		{"step leaf", []string{"testdata/leaf.crt"}, 0, "no findings", ""},
		{"rfc violation", []string{badPath}, 1, "e_ext_key_usage_cert_sign_without_ca (RFC5280)", "zlint found errors"},
		{"web pki lints on request", []string{p.leafPath, "--include-sources", "CABF_BR"}, 1, "e_sub_cert_aia_missing", ""},
		{"excluded source", []string{badPath, "--exclude-sources", "RFC5280"}, 0, "", ""},
		{"json", []string{p.leafPath, "--format", "json"}, 0, `"lints": {`, ""},
		{"unknown source", []string{p.leafPath, "--include-sources", "RFC9999"}, 2, "", "unknown lint source"},
		{"bad format", []string{p.leafPath, "--format", "yaml"}, 2, "", "invalid value"},
		{"csr", []string{"testdata/leaf.csr"}, 1, "", "zlint lints certificates"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, _, err := run(t, append([]string{"lint"}, tc.args...)...)
			expect(t, err, tc.code, tc.msg)
			if !strings.Contains(out, tc.out) {
				t.Errorf("stdout does not contain %q:\n%s", tc.out, out)
			}
		})
	}
	out, _, _ := run(t, "lint", "--format", "json", badPath)
	var rs struct {
		Lints        map[string]struct{ Result string } `json:"lints"`
		ErrorsPresen bool                               `json:"errors_present"`
	}
	if err := json.Unmarshal([]byte(out), &rs); err != nil {
		t.Fatal(err)
	}
	if rs.Lints["e_ext_key_usage_cert_sign_without_ca"].Result != "error" || !rs.ErrorsPresen {
		t.Errorf("json result set does not report the error: %s", out)
	}
}
