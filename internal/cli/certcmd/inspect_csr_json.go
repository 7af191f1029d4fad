package certcmd

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"net"
)

// The JSON of `certificate inspect --format json` for a CSR. step prints its
// parsed request struct as is, so the keys are Go field names; we mirror it.

type csrJSON struct {
	Raw                      []byte
	RawTBSCertificateRequest []byte
	RawSubjectPublicKeyInfo  []byte
	RawSubject               []byte
	Version                  int
	Signature                []byte
	SignatureAlgorithm       sigAlgJSON
	PublicKeyAlgorithm       struct {
		Name string `json:"name"`
	}
	PublicKey       any
	Subject         map[string][]string
	Attributes      []csrAttributeJSON
	Extensions      []unknownExtJSON
	ExtraExtensions []unknownExtJSON
	DNSNames        []string
	EmailAddresses  []string
	IPAddresses     []net.IP
}

type csrAttributeJSON struct {
	Type  asn1.ObjectIdentifier
	Value [][]csrATVJSON
}

// csrATVJSON carries a value only when it is a string, as step's does.
type csrATVJSON struct {
	Type  string `json:"type,omitempty"`
	Value string `json:"value,omitempty"`
}

// ecKeyJSON is the shape step gives an EC key in a CSR: the point and the raw
// encoded key.
type ecKeyJSON struct {
	Pub struct {
		Curve struct{}
		X, Y  *big.Int
	}
	Raw struct {
		Bytes     []byte
		BitLength int
	}
}

func toCSRJSON(csr *x509.CertificateRequest) *csrJSON {
	j := &csrJSON{
		Raw:                      csr.Raw,
		RawTBSCertificateRequest: csr.RawTBSCertificateRequest,
		RawSubjectPublicKeyInfo:  csr.RawSubjectPublicKeyInfo,
		RawSubject:               csr.RawSubject,
		Version:                  csr.Version,
		Signature:                csr.Signature,
		SignatureAlgorithm:       sigAlgJSON{Name: csr.SignatureAlgorithm.String(), OID: sigAlgOIDs[csr.SignatureAlgorithm]},
		PublicKey:                csrKeyJSON(csr.PublicKey),
		Subject:                  nameJSON(csr.Subject),
		Attributes:               csrAttributes(csr.Attributes), //nolint:staticcheck // step prints the attributes
		DNSNames:                 csr.DNSNames,
		EmailAddresses:           csr.EmailAddresses,
		IPAddresses:              csr.IPAddresses,
	}
	j.PublicKeyAlgorithm.Name = csr.PublicKeyAlgorithm.String()
	for _, e := range csr.Extensions {
		j.Extensions = append(j.Extensions, unknownExtJSON{ID: e.Id.String(), Critical: e.Critical, Value: e.Value})
	}
	return j
}

func csrKeyJSON(pub any) any {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return struct {
			N *big.Int
			E int
		}{k.N, k.E}
	case *ecdsa.PublicKey:
		var j ecKeyJSON
		j.Pub.X, j.Pub.Y = k.X, k.Y
		if raw, err := k.Bytes(); err == nil {
			j.Raw.Bytes, j.Raw.BitLength = raw, len(raw)*8
		}
		return j
	case ed25519.PublicKey:
		return []byte(k)
	}
	return nil
}

func csrAttributes(attrs []pkix.AttributeTypeAndValueSET) []csrAttributeJSON {
	var out []csrAttributeJSON
	for _, a := range attrs {
		ja := csrAttributeJSON{Type: a.Type, Value: [][]csrATVJSON{}}
		for _, set := range a.Value {
			js := []csrATVJSON{}
			for _, atv := range set {
				v, _ := atv.Value.(string)
				js = append(js, csrATVJSON{Type: atv.Type.String(), Value: v})
			}
			ja.Value = append(ja.Value, js)
		}
		out = append(out, ja)
	}
	return out
}
