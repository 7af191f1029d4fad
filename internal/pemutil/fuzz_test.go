package pemutil

import (
	"encoding/asn1"
	"os"
	"testing"
)

var asn1Unmarshal = asn1.Unmarshal

// FuzzParse feeds arbitrary bytes to every parser: none may panic, and a key
// that parses must re-encode.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"ec.key", "ec_legacy_aes256.key", "ec_pkcs8_openssl.key", "ed.key", "step_ec.pub"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = ParseCertificates(data)
		_, _ = ParseCSR(data)
		_, _ = ParsePublicKey(data)
		_ = IsEncrypted(data)
		if k, err := ParsePrivateKey(data, []byte("password")); err == nil {
			if _, err := EncodePrivateKey(k, nil); err != nil {
				t.Fatalf("parsed key does not re-encode: %v", err)
			}
		}
	})
}
