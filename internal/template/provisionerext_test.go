package template

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"testing"
)

func TestProvisionerExtension(t *testing.T) {
	tests := []ProvisionerExtension{
		{Type: ProvisionerTypeJWK, Name: "admin@example.com", CredentialID: "kid-123"},
		{Type: ProvisionerTypeAWS, Name: "aws", CredentialID: "123456789012", KeyValuePairs: []string{"InstanceID", "i-0abc"}},
		{Type: ProvisionerTypeACME, Name: "acme"},
		{Type: ProvisionerTypeOIDC, Name: "Google ünicode", CredentialID: "client.apps"},
	}
	for _, p := range tests {
		t.Run(p.Name, func(t *testing.T) {
			tmpl, err := (&Certificate{Subject: Subject{CommonName: "x"}, Extensions: []Extension{
				// A template-supplied provisioner extension must be replaced.
				{ID: ObjectIdentifier(OIDProvisionerExtension), Value: mustMarshal(1)},
			}}).X509(nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := SetProvisionerExtension(tmpl, p); err != nil {
				t.Fatal(err)
			}
			cert := signX509(t, tmpl, newKey(t).Public())
			n := 0
			for _, e := range cert.Extensions {
				if e.Id.Equal(OIDProvisionerExtension) {
					n++
					eq(t, e.Critical, false)
				}
			}
			eq(t, n, 1)
			got, ok, err := FindProvisionerExtension(cert)
			if err != nil || !ok {
				t.Fatalf("FindProvisionerExtension: %v %v", ok, err)
			}
			eq(t, got, p)
		})
	}
}

// TestProvisionerExtensionWire pins the encoding: INTEGER, two OCTET STRINGs,
// and the pairs as a SEQUENCE only when present.
func TestProvisionerExtensionWire(t *testing.T) {
	ext, err := ProvisionerExtension{Type: ProvisionerTypeJWK, Name: "n", CredentialID: "k"}.Extension()
	if err != nil {
		t.Fatal(err)
	}
	eq(t, ext.Id.String(), "1.3.6.1.4.1.37476.9000.64.1")
	eq(t, ext.Value, []byte{0x30, 0x09, 0x02, 0x01, 0x01, 0x04, 0x01, 'n', 0x04, 0x01, 'k'})

	ext, _ = ProvisionerExtension{Type: ProvisionerTypeAWS, Name: "n", CredentialID: "k", KeyValuePairs: []string{"a", "b"}}.Extension()
	var raw struct {
		Type  int
		Name  asn1.RawValue
		Cred  asn1.RawValue
		Pairs asn1.RawValue
	}
	if _, err := asn1.Unmarshal(ext.Value, &raw); err != nil {
		t.Fatal(err)
	}
	eq(t, raw.Name.Tag, asn1.TagOctetString)
	eq(t, raw.Pairs.Tag, asn1.TagSequence)
}

func TestProvisionerExtensionErrors(t *testing.T) {
	if _, err := (ProvisionerExtension{KeyValuePairs: []string{"odd"}}).Extension(); err == nil {
		t.Error("want error for odd pairs")
	}
	for _, der := range [][]byte{nil, {0x30, 0x00}, {0x02, 0x01, 0x01}, append(mustMarshal(provisionerExtASN1{}), 0)} {
		if _, err := ParseProvisionerExtension(der); err == nil {
			t.Errorf("%x: want error", der)
		}
	}
	bad := &x509.Certificate{Extensions: []pkix.Extension{{Id: OIDProvisionerExtension, Value: []byte{1}}}}
	if _, ok, err := FindProvisionerExtension(bad); !ok || err == nil {
		t.Error("want found with error")
	}
	if _, ok, _ := FindProvisionerExtension(&x509.Certificate{}); ok {
		t.Error("want not found")
	}
}

func TestProvisionerTypeOf(t *testing.T) {
	for name, want := range map[string]ProvisionerType{"JWK": ProvisionerTypeJWK, "x5c": ProvisionerTypeX5C,
		"K8sSA": ProvisionerTypeK8sSA, "Azure": ProvisionerTypeAzure, "nope": 0} {
		if got := ProvisionerTypeOf(name); got != want {
			t.Errorf("%s: %d, want %d", name, got, want)
		}
	}
}
