package template

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"encoding/json"
	"testing"
	"unicode/utf8"
)

// fuzzKey is a fixed public key: the fuzz targets test rendering and
// decoding, not key generation.
var fuzzKey = &ecdsa.PublicKey{Curve: elliptic.P256(), X: elliptic.P256().Params().Gx, Y: elliptic.P256().Params().Gy}

// FuzzRender feeds arbitrary request values through the leaf template: the
// output must always decode, and the values must come back as the same
// strings, never as structure.
func FuzzRender(f *testing.F) {
	for _, seed := range [][2]string{
		{"example.com", "www.example.com"},
		{`a", "basicConstraints": {"isCA": true}, "x": "`, `x"}], "keyUsage": "certSign", "y": [{"z":"`},
		{"{{ .Token }}", "}}{{"},
		{"\u2028\u2029<script>&", "10.0.0.1"},
		{"\\\"\\", "user@example.com"},
		{"\x00\x01\xff", "spiffe://td/x"},
	} {
		f.Add(seed[0], seed[1])
	}
	tmpl, err := Parse("leaf", LeafTemplate)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, cn, san string) {
		data := NewData(cn, []string{san})
		data.SetInsecure(KeyCR, &CertificateRequest{PublicKey: fuzzKey})
		c, err := tmpl.Certificate(data)
		if err != nil {
			t.Fatalf("leaf template output does not decode: %v", err)
		}
		if c.BasicConstraints != nil || c.KeyUsage != KeyUsage(1) || len(c.ExtKeyUsage) != 2 || len(c.SANs) != 1 {
			t.Fatalf("request values changed the structure: %+v", c)
		}
		if utf8.ValidString(cn) && c.Subject.CommonName != cn {
			t.Fatalf("CN %q came back as %q", cn, c.Subject.CommonName)
		}
		if utf8.ValidString(san) && c.SANs[0].Value != san {
			t.Fatalf("SAN %q came back as %q", san, c.SANs[0].Value)
		}
		_, _ = c.X509(fuzzKey) // may refuse a name, must not panic
	})
}

// FuzzParseCertificateJSON: any input either fails to decode or decodes to a
// model that converts without panicking and survives a JSON round trip.
func FuzzParseCertificateJSON(f *testing.F) {
	for _, seed := range []string{
		`{}`,
		`{"subject":"cn"}`,
		`{"subject":{"commonName":"x","country":["US","CA"],"extraNames":[{"type":"1.2.3","value":"v"}]},"serialNumber":"0x1f"}`,
		`{"dnsNames":"a","ipAddresses":["::1"],"uris":"urn:x","emailAddresses":["a@b"]}`,
		`{"sans":[{"type":"auto","value":"1.2.3.4"},{"type":"userPrincipalName","value":"u@x"},{"type":"dn","value":"CN=a,O=b"},{"type":"permanentIdentifier","asn1Value":{"identifier":"i","assigner":"1.2"}}]}`,
		`{"keyUsage":["certSign","crlSign"],"extKeyUsage":"serverAuth","basicConstraints":{"isCA":true,"maxPathLen":-1}}`,
		`{"nameConstraints":{"permittedIPRanges":"10.0.0.0/8","permittedDNSDomains":".x"},"policyIdentifiers":"2.5.29.32.0"}`,
		`{"extensions":[{"id":"1.2.3","critical":true,"value":"AgEB"}],"signatureAlgorithm":"Ed25519","notAfter":"2030-01-01T00:00:00Z"}`,
		`{"serialNumber":123456789012345678901234567890,"subjectKeyId":"AQI=","rawSubject":"MAA="}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseCertificateJSON(b)
		if err != nil {
			return
		}
		_, _ = c.X509(fuzzKey)
		again, err := json.Marshal(c)
		if err != nil {
			return // e.g. a time outside JSON's range; decoding it was still safe
		}
		c2, err := ParseCertificateJSON(again)
		if err != nil {
			t.Fatalf("re-decoding our own JSON %s: %v", again, err)
		}
		if (c.SerialNumber.Int == nil) != (c2.SerialNumber.Int == nil) ||
			(c.SerialNumber.Int != nil && c.SerialNumber.Cmp(c2.SerialNumber.Int) != 0) {
			t.Fatalf("serial changed: %v -> %v", c.SerialNumber, c2.SerialNumber)
		}
		if c.Subject.CommonName != c2.Subject.CommonName || c.KeyUsage != c2.KeyUsage || len(c.SANs) != len(c2.SANs) {
			t.Fatalf("round trip changed the model: %s", again)
		}
	})
}
