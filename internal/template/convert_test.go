package template

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"net"
	"reflect"
	"slices"
	"testing"
	"time"
)

// TestFieldsRoundTrip renders each model field into a real certificate and
// reads it back with crypto/x509.
func TestFieldsRoundTrip(t *testing.T) {
	intBase64 := base64.StdEncoding.EncodeToString(mustMarshal(7))
	tests := []struct {
		name  string
		json  string
		check func(t *testing.T, c *x509.Certificate)
	}{
		{"subject", `{"subject":{"country":"US","organization":["Acme","Acme Two"],"organizationalUnit":"Ops",
			"locality":"SF","province":"CA","streetAddress":"1 Main","postalCode":"94000","serialNumber":"S1",
			"commonName":"leaf","extraNames":[{"type":"0.9.2342.19200300.100.1.1","value":"uid1"}]}}`,
			func(t *testing.T, c *x509.Certificate) {
				s := c.Subject
				eq(t, s.CommonName, "leaf")
				eq(t, s.Country, []string{"US"})
				eq(t, s.Organization, []string{"Acme", "Acme Two"})
				eq(t, s.OrganizationalUnit, []string{"Ops"})
				eq(t, s.Locality, []string{"SF"})
				eq(t, s.Province, []string{"CA"})
				eq(t, s.StreetAddress, []string{"1 Main"})
				eq(t, s.PostalCode, []string{"94000"})
				eq(t, s.SerialNumber, "S1")
				if !slices.ContainsFunc(s.Names, func(a pkix.AttributeTypeAndValue) bool {
					return a.Type.Equal(asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 1}) && a.Value == "uid1"
				}) {
					t.Errorf("extra name missing: %v", s.Names)
				}
			}},
		{"subject single-valued as lists", `{"subject":{"commonName":["listed"],"serialNumber":["SN"],"country":[]}}`,
			func(t *testing.T, c *x509.Certificate) {
				eq(t, c.Subject.CommonName, "listed")
				eq(t, c.Subject.SerialNumber, "SN")
			}},
		{"subject as string", `{"subject":"just-cn"}`,
			func(t *testing.T, c *x509.Certificate) { eq(t, c.Subject.CommonName, "just-cn") }},
		{"rawSubject", `{"subject":"ignored","rawSubject":"` + base64.StdEncoding.EncodeToString(mustMarshal(pkix.Name{CommonName: "raw"}.ToRDNSequence())) + `"}`,
			func(t *testing.T, c *x509.Certificate) { eq(t, c.Subject.CommonName, "raw") }},
		{"serialNumber number", `{"serialNumber": 123456789012345678901234567890}`,
			func(t *testing.T, c *x509.Certificate) {
				eq(t, c.SerialNumber.String(), "123456789012345678901234567890")
			}},
		{"serialNumber hex", `{"serialNumber": "0xff"}`,
			func(t *testing.T, c *x509.Certificate) { eq(t, c.SerialNumber.Int64(), int64(255)) }},
		{"name lists as strings", `{"dnsNames":"a.example","emailAddresses":"a@example.com","ipAddresses":"10.0.0.1","uris":"spiffe://example/x"}`,
			func(t *testing.T, c *x509.Certificate) {
				eq(t, c.DNSNames, []string{"a.example"})
				eq(t, c.EmailAddresses, []string{"a@example.com"})
				eq(t, c.IPAddresses[0].String(), "10.0.0.1")
				eq(t, c.URIs[0].String(), "spiffe://example/x")
			}},
		{"native sans", `{"sans":[{"type":"dns","value":"d.example"},{"type":"email","value":"m@example.com"},
			{"type":"ip","value":"2001:db8::1"},{"type":"uri","value":"https://u.example/p"},
			{"type":"auto","value":"auto.example"},{"type":"auto","value":"192.0.2.1"},
			{"type":"auto","value":"x@example.com"},{"type":"auto","value":"urn:uuid:1234"}]}`,
			func(t *testing.T, c *x509.Certificate) {
				eq(t, c.DNSNames, []string{"d.example", "auto.example"})
				eq(t, c.EmailAddresses, []string{"m@example.com", "x@example.com"})
				eq(t, len(c.IPAddresses), 2)
				eq(t, c.IPAddresses[1].String(), "192.0.2.1")
				eq(t, []string{c.URIs[0].String(), c.URIs[1].String()}, []string{"https://u.example/p", "urn:uuid:1234"})
			}},
		{"validity", `{"notBefore":"2030-01-02T03:04:05Z","notAfter":"2031-01-02T03:04:05Z"}`,
			func(t *testing.T, c *x509.Certificate) {
				eq(t, c.NotBefore, time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))
				eq(t, c.NotAfter, time.Date(2031, 1, 2, 3, 4, 5, 0, time.UTC))
			}},
		{"extensions", `{"extensions":[{"id":"1.2.3.4","critical":true,"value":"` + intBase64 + `"}]}`,
			func(t *testing.T, c *x509.Certificate) {
				e := findExt(t, c, asn1.ObjectIdentifier{1, 2, 3, 4})
				eq(t, e.Critical, true)
				eq(t, e.Value, mustMarshal(7))
			}},
		{"keyUsage case-insensitive", `{"keyUsage":["DigitalSignature","keyencipherment","contentCommitment","dataEncipherment","keyAgreement","certSign","crlSign","encipherOnly","decipherOnly"]}`,
			func(t *testing.T, c *x509.Certificate) { eq(t, c.KeyUsage, x509.KeyUsage(511)) }},
		{"keyUsage string", `{"keyUsage":"digitalSignature"}`,
			func(t *testing.T, c *x509.Certificate) { eq(t, c.KeyUsage, x509.KeyUsageDigitalSignature) }},
		{"extKeyUsage", `{"extKeyUsage":["serverAuth","CLIENTAUTH","codeSigning","emailProtection","ipsecEndSystem","ipsecTunnel","ipsecUser","timeStamping","ocspSigning","any","microsoftServerGatedCrypto","netscapeServerGatedCrypto","microsoftCommercialCodeSigning","microsoftKernelCodeSigning"]}`,
			func(t *testing.T, c *x509.Certificate) {
				eq(t, len(c.ExtKeyUsage), 14)
				eq(t, c.ExtKeyUsage[1], x509.ExtKeyUsageClientAuth)
				eq(t, c.ExtKeyUsage[9], x509.ExtKeyUsageAny)
			}},
		{"unknownExtKeyUsage", `{"unknownExtKeyUsage":"1.3.6.1.4.1.99999.1"}`,
			func(t *testing.T, c *x509.Certificate) {
				eq(t, c.UnknownExtKeyUsage[0].String(), "1.3.6.1.4.1.99999.1")
			}},
		{"key ids", `{"subjectKeyId":"AQID","authorityKeyId":"BAUG"}`,
			func(t *testing.T, c *x509.Certificate) {
				eq(t, c.SubjectKeyId, []byte{1, 2, 3})
				// Go takes the AKID from the parent, never the template.
				eq(t, c.AuthorityKeyId, testCACert.SubjectKeyId)
			}},
		{"aia and crl", `{"ocspServer":"http://ocsp.example","issuingCertificateURL":["http://ca.example/ca.crt"],"crlDistributionPoints":"http://ca.example/ca.crl"}`,
			func(t *testing.T, c *x509.Certificate) {
				eq(t, c.OCSPServer, []string{"http://ocsp.example"})
				eq(t, c.IssuingCertificateURL, []string{"http://ca.example/ca.crt"})
				eq(t, c.CRLDistributionPoints, []string{"http://ca.example/ca.crl"})
			}},
		{"policyIdentifiers", `{"policyIdentifiers":["2.23.140.1.2.1","1.3.6.1.4.1.99999.2"]}`,
			func(t *testing.T, c *x509.Certificate) {
				eq(t, len(c.Policies), 2)
				eq(t, c.Policies[0].String(), "2.23.140.1.2.1")
			}},
		{"ca pathlen 0 by default", `{"basicConstraints":{"isCA":true}}`,
			func(t *testing.T, c *x509.Certificate) {
				eq(t, c.IsCA, true)
				eq(t, c.MaxPathLen, 0)
				eq(t, c.MaxPathLenZero, true)
			}},
		{"ca pathlen 2", `{"basicConstraints":{"isCA":true,"maxPathLen":2}}`,
			func(t *testing.T, c *x509.Certificate) { eq(t, c.MaxPathLen, 2) }},
		{"ca unlimited", `{"basicConstraints":{"isCA":true,"maxPathLen":-1}}`,
			func(t *testing.T, c *x509.Certificate) { eq(t, c.MaxPathLen, -1); eq(t, c.IsCA, true) }},
		{"not ca", `{"basicConstraints":{"isCA":false,"maxPathLen":3}}`,
			func(t *testing.T, c *x509.Certificate) {
				eq(t, c.BasicConstraintsValid, true)
				eq(t, c.IsCA, false)
				eq(t, c.MaxPathLen, -1)
			}},
		{"nameConstraints", `{"basicConstraints":{"isCA":true},"nameConstraints":{"critical":true,
			"permittedDNSDomains":"example.com","excludedDNSDomains":["bad.example.com"],
			"permittedIPRanges":"10.0.0.0/8","excludedIPRanges":["10.1.0.0/16"],
			"permittedEmailAddresses":"example.com","excludedEmailAddresses":"bad@example.com",
			"permittedURIDomains":".example.com","excludedURIDomains":"bad.example.com"}}`,
			func(t *testing.T, c *x509.Certificate) {
				eq(t, c.PermittedDNSDomainsCritical, true)
				eq(t, c.PermittedDNSDomains, []string{"example.com"})
				eq(t, c.ExcludedDNSDomains, []string{"bad.example.com"})
				eq(t, c.PermittedIPRanges[0].String(), "10.0.0.0/8")
				eq(t, c.ExcludedIPRanges[0].String(), "10.1.0.0/16")
				eq(t, c.PermittedEmailAddresses, []string{"example.com"})
				eq(t, c.ExcludedEmailAddresses, []string{"bad@example.com"})
				eq(t, c.PermittedURIDomains, []string{".example.com"})
				eq(t, c.ExcludedURIDomains, []string{"bad.example.com"})
			}},
		{"signatureAlgorithm", `{"signatureAlgorithm":"ecdsa-sha384"}`,
			func(t *testing.T, c *x509.Certificate) { eq(t, c.SignatureAlgorithm, x509.ECDSAWithSHA384) }},
		{"skid derived from key", `{}`,
			func(t *testing.T, c *x509.Certificate) {
				want, _ := KeyID(c.PublicKey)
				eq(t, c.SubjectKeyId, want)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseCertificateJSON([]byte(tt.json))
			if err != nil {
				t.Fatal(err)
			}
			key := newKey(t)
			tt.check(t, sign(t, c, key.Public()))
		})
	}
}

// TestExtendedSANs checks the hand-built subjectAltName extension for the
// name types Go cannot write.
func TestExtendedSANs(t *testing.T) {
	c, err := ParseCertificateJSON([]byte(`{"subject":"x","dnsNames":["top.example"],"sans":[
		{"type":"dns","value":"d.example"},
		{"type":"ip","value":"192.0.2.7"},
		{"type":"email","value":"e@example.com"},
		{"type":"uri","value":"spiffe://td/w"},
		{"type":"userPrincipalName","value":"user@corp.example"},
		{"type":"permanentIdentifier","value":"id-123"},
		{"type":"permanentIdentifier","asn1Value":{"identifier":"id-456","assigner":"1.2.3.4"}},
		{"type":"hardwareModuleName","asn1Value":{"type":"1.3.6.1.4.1.99999","serialNumber":"AQID"}},
		{"type":"registeredID","value":"1.2.3.4.5"},
		{"type":"dn","value":"CN=dir,O=Org\\, Inc,C=US"},
		{"type":"x400Address","value":"` + base64.StdEncoding.EncodeToString(mustMarshal("x400")) + `"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	cert := sign(t, c, newKey(t).Public())
	// Go reads back the names it knows from our extension.
	eq(t, cert.DNSNames, []string{"top.example", "d.example"})
	eq(t, cert.EmailAddresses, []string{"e@example.com"})
	eq(t, cert.IPAddresses[0].String(), "192.0.2.7")
	eq(t, cert.URIs[0].String(), "spiffe://td/w")

	ext := findExt(t, cert, oidExtSubjectAltName)
	eq(t, ext.Critical, false)
	var names []asn1.RawValue
	if _, err := asn1.Unmarshal(ext.Value, &names); err != nil {
		t.Fatal(err)
	}
	var tags []int
	for _, n := range names {
		tags = append(tags, n.Tag)
	}
	eq(t, tags, []int{2, 2, 7, 1, 6, 0, 0, 0, 0, 8, 4, 3})

	otherName := func(rv asn1.RawValue) (asn1.ObjectIdentifier, []byte) {
		var on struct {
			ID    asn1.ObjectIdentifier
			Value asn1.RawValue // [0] EXPLICIT: Bytes is the inner DER
		}
		full := append([]byte{0x30}, rv.FullBytes[1:]...) // implicit [0] -> SEQUENCE
		if _, err := asn1.Unmarshal(full, &on); err != nil {
			t.Fatal(err)
		}
		eq(t, on.Value.Tag, 0)
		return on.ID, on.Value.Bytes
	}
	id, v := otherName(names[5])
	eq(t, id, oidUserPrincipalName)
	var upn string
	asn1.Unmarshal(v, &upn)
	eq(t, upn, "user@corp.example")
	eq(t, v[0], byte(asn1.TagUTF8String))

	var pi struct {
		Value    string                `asn1:"utf8,optional"`
		Assigner asn1.ObjectIdentifier `asn1:"optional"`
	}
	id, v = otherName(names[6])
	eq(t, id, oidPermanentIdentifier)
	asn1.Unmarshal(v, &pi)
	eq(t, pi.Value, "id-123")
	_, v = otherName(names[7])
	asn1.Unmarshal(v, &pi)
	eq(t, pi.Value, "id-456")
	eq(t, pi.Assigner.String(), "1.2.3.4")

	var hw struct {
		Type   asn1.ObjectIdentifier
		Serial []byte
	}
	id, v = otherName(names[8])
	eq(t, id, oidHardwareModuleName)
	asn1.Unmarshal(v, &hw)
	eq(t, hw.Type.String(), "1.3.6.1.4.1.99999")
	eq(t, hw.Serial, []byte{1, 2, 3})

	var rid asn1.ObjectIdentifier
	asn1.UnmarshalWithParams(names[9].FullBytes, &rid, "tag:8")
	eq(t, rid.String(), "1.2.3.4.5")

	var rdns pkix.RDNSequence
	if _, err := asn1.Unmarshal(names[10].Bytes, &rdns); err != nil {
		t.Fatal(err)
	}
	var dn pkix.Name
	dn.FillFromRDNSequence(&rdns)
	eq(t, dn.String(), "CN=dir,O=Org\\, Inc,C=US")
	eq(t, names[11].Bytes, mustMarshal("x400"))
}

func TestExtendedSANsCriticalWithEmptySubject(t *testing.T) {
	c := &Certificate{SANs: []SubjectAlternativeName{{Type: SANTypeUserPrincipalName, Value: "u@x"}}}
	cert := sign(t, c, newKey(t).Public())
	eq(t, findExt(t, cert, oidExtSubjectAltName).Critical, true)
}

func TestTemplateSANExtensionWins(t *testing.T) {
	raw := mustMarshal([]asn1.RawValue{{Class: asn1.ClassContextSpecific, Tag: 2, Bytes: []byte("raw.example")}})
	c := &Certificate{
		Subject:    Subject{CommonName: "x"},
		SANs:       []SubjectAlternativeName{{Type: SANTypeUserPrincipalName, Value: "u@x"}},
		Extensions: []Extension{{ID: ObjectIdentifier(oidExtSubjectAltName), Value: raw}},
	}
	cert := sign(t, c, newKey(t).Public())
	eq(t, cert.DNSNames, []string{"raw.example"})
}

func TestX509Errors(t *testing.T) {
	tests := map[string]string{
		"bad ip san":       `{"sans":[{"type":"ip","value":"not-an-ip"}]}`,
		"unknown san type": `{"sans":[{"type":"bogus","value":"x"}]}`,
		"non-ascii dns":    `{"sans":[{"type":"dns","value":"bücher.example"},{"type":"userPrincipalName","value":"u"}]}`,
		"bad registeredID": `{"sans":[{"type":"registeredID","value":"x.y"}]}`,
		"bad dn":           `{"sans":[{"type":"dn","value":"NOPE"}]}`,
		"hw without value": `{"sans":[{"type":"hardwareModuleName","value":"x"}]}`,
		"x400 not base64":  `{"sans":[{"type":"x400Address","value":"***"}]}`,
		"bad assigner":     `{"sans":[{"type":"permanentIdentifier","asn1Value":{"assigner":"zz"}}]}`,
	}
	for name, js := range tests {
		t.Run(name, func(t *testing.T) {
			c, err := ParseCertificateJSON([]byte(js))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.X509(nil); err == nil {
				t.Fatal("want error")
			}
		})
	}
}

func TestParseCertificateJSONErrors(t *testing.T) {
	tests := map[string]string{
		"syntax":            "{\n  \"subject\": ,\n}",
		"bad key usage":     `{"keyUsage":"fly"}`,
		"bad eku":           `{"extKeyUsage":["serverauthx"]}`,
		"bad oid":           `{"unknownExtKeyUsage":"1"}`,
		"oid first arc":     `{"policyIdentifiers":"3.1"}`,
		"bad ip":            `{"ipAddresses":"300.1.1.1"}`,
		"bad cidr":          `{"nameConstraints":{"permittedIPRanges":"10.0.0.0"}}`,
		"bad serial":        `{"serialNumber":"12ab"}`,
		"bad sigalg":        `{"signatureAlgorithm":"ROT13"}`,
		"bad base64":        `{"subjectKeyId":"***"}`,
		"list of numbers":   `{"dnsNames":[1,2]}`,
		"two common names":  `{"subject":{"commonName":["a","b"]}}`,
		"extra name number": `{"subject":{"extraNames":[{"type":"1.2.3","value":5}]}}`,
	}
	for name, js := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := ParseCertificateJSON([]byte(js))
			if err == nil {
				t.Fatal("want error")
			}
			if !errorsIs(err, ErrInvalidJSON) {
				t.Fatalf("error %v does not wrap ErrInvalidJSON", err)
			}
		})
	}
	_, err := ParseCertificateJSON([]byte("{\n  \"subject\": ,\n}"))
	if !bytes.Contains([]byte(err.Error()), []byte("line 2")) {
		t.Errorf("error does not name the line: %v", err)
	}
}

func TestApplyDNDefaults(t *testing.T) {
	cert := &x509.Certificate{Subject: pkix.Name{CommonName: "kept", Organization: []string{"Mine"}}}
	ApplyDNDefaults(cert, DNDefaults{Country: "US", Organization: "Default Org", OrganizationalUnit: "OU",
		Locality: "L", Province: "P", StreetAddress: "S", SerialNumber: "SN", CommonName: "default"})
	want := pkix.Name{CommonName: "kept", Organization: []string{"Mine"}, Country: []string{"US"},
		OrganizationalUnit: []string{"OU"}, Locality: []string{"L"}, Province: []string{"P"},
		StreetAddress: []string{"S"}, SerialNumber: "SN"}
	eq(t, cert.Subject, want)

	raw := &x509.Certificate{RawSubject: []byte{0x30, 0}}
	ApplyDNDefaults(raw, DNDefaults{CommonName: "x"})
	eq(t, raw.Subject.CommonName, "")
}

func TestSubjectFromPKIXKeepsExtraNames(t *testing.T) {
	uid := asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 1}
	n := pkix.Name{CommonName: "c", Names: []pkix.AttributeTypeAndValue{
		{Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Value: "c"}, {Type: uid, Value: "u"}}}
	s := SubjectFromPKIX(n)
	eq(t, s.CommonName, "c")
	eq(t, s.ExtraNames, []DistinguishedName{{Type: ObjectIdentifier(uid), Value: "u"}})
}

func TestSANsFromStrings(t *testing.T) {
	got := SANsFromStrings([]string{"a.example", "10.0.0.1", "::1", "u@example.com", "https://x.example", "spiffe://td/x", "*.wild.example", "mailto:a@b"})
	want := []string{"dns", "ip", "ip", "email", "uri", "uri", "dns", "uri"}
	for i, s := range got {
		eq(t, s.Type, want[i])
	}
}

func findExt(t *testing.T, c *x509.Certificate, oid asn1.ObjectIdentifier) pkix.Extension {
	t.Helper()
	for _, e := range c.Extensions {
		if e.Id.Equal(oid) {
			return e
		}
	}
	t.Fatalf("extension %s not found", oid)
	return pkix.Extension{}
}

func eq(t *testing.T, got, want any) {
	t.Helper()
	if ip, ok := got.(net.IP); ok {
		got = ip.String()
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v, want %#v", got, want)
	}
}
