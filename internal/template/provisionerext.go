package template

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"strings"
)

// OIDProvisionerExtension identifies the provisioner that authorized a
// certificate (under step's arc 1.3.6.1.4.1.37476.9000.64). Renewal, rekey
// and revocation use it to find the provisioner of a certificate.
var OIDProvisionerExtension = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 37476, 9000, 64, 1}

// ProvisionerType is the provisioner type number written in the extension.
type ProvisionerType int

// The numbers are step's, so certificates from either CA are read alike.
const (
	ProvisionerTypeJWK    ProvisionerType = 1
	ProvisionerTypeOIDC   ProvisionerType = 2
	ProvisionerTypeGCP    ProvisionerType = 3
	ProvisionerTypeAWS    ProvisionerType = 4
	ProvisionerTypeAzure  ProvisionerType = 5
	ProvisionerTypeACME   ProvisionerType = 6
	ProvisionerTypeX5C    ProvisionerType = 7
	ProvisionerTypeK8sSA  ProvisionerType = 8
	ProvisionerTypeSSHPOP ProvisionerType = 9
	ProvisionerTypeSCEP   ProvisionerType = 10
	ProvisionerTypeNebula ProvisionerType = 11
)

// ProvisionerExtension is the decoded provisioner-ID extension:
//
//	SEQUENCE { type INTEGER, name OCTET STRING, credentialID OCTET STRING,
//	           keyValuePairs SEQUENCE OF UTF8String OPTIONAL }
//
// CredentialID is the JWK kid, OIDC client ID, cloud account and so on, and
// KeyValuePairs holds alternating keys and values (e.g. "InstanceID", id).
type ProvisionerExtension struct {
	Type          ProvisionerType
	Name          string
	CredentialID  string
	KeyValuePairs []string
}

// provisionerExtASN1 is the wire form; name and credentialID are OCTET
// STRINGs, not text strings, which is why they are []byte here.
type provisionerExtASN1 struct {
	Type          int
	Name          []byte
	CredentialID  []byte
	KeyValuePairs []string `asn1:"optional,omitempty"`
}

// Extension encodes p as a non-critical extension to add to a certificate.
// An odd number of key-value strings is refused: readers pair them up.
func (p ProvisionerExtension) Extension() (pkix.Extension, error) {
	if len(p.KeyValuePairs)%2 != 0 {
		return pkix.Extension{}, fmt.Errorf("provisioner extension: odd number of key-value strings")
	}
	der, err := asn1.Marshal(provisionerExtASN1{
		Type:          int(p.Type),
		Name:          []byte(p.Name),
		CredentialID:  []byte(p.CredentialID),
		KeyValuePairs: p.KeyValuePairs,
	})
	if err != nil {
		return pkix.Extension{}, fmt.Errorf("encoding provisioner extension: %w", err)
	}
	return pkix.Extension{Id: OIDProvisionerExtension, Value: der}, nil
}

// ParseProvisionerExtension decodes the extension's value.
func ParseProvisionerExtension(der []byte) (ProvisionerExtension, error) {
	var v provisionerExtASN1
	rest, err := asn1.Unmarshal(der, &v)
	if err != nil {
		return ProvisionerExtension{}, fmt.Errorf("decoding provisioner extension: %w", err)
	}
	if len(rest) > 0 {
		return ProvisionerExtension{}, fmt.Errorf("decoding provisioner extension: trailing data")
	}
	return ProvisionerExtension{
		Type:          ProvisionerType(v.Type),
		Name:          string(v.Name),
		CredentialID:  string(v.CredentialID),
		KeyValuePairs: v.KeyValuePairs,
	}, nil
}

// FindProvisionerExtension returns the decoded extension of cert, and false
// when cert has none.
func FindProvisionerExtension(cert *x509.Certificate) (ProvisionerExtension, bool, error) {
	for _, e := range cert.Extensions {
		if e.Id.Equal(OIDProvisionerExtension) {
			p, err := ParseProvisionerExtension(e.Value)
			return p, true, err
		}
	}
	return ProvisionerExtension{}, false, nil
}

// SetProvisionerExtension puts p on a certificate template, replacing any
// extension with the same OID a template supplied: only the CA says which
// provisioner authorized a certificate.
func SetProvisionerExtension(cert *x509.Certificate, p ProvisionerExtension) error {
	ext, err := p.Extension()
	if err != nil {
		return err
	}
	kept := cert.ExtraExtensions[:0:0]
	for _, e := range cert.ExtraExtensions {
		if !e.Id.Equal(OIDProvisionerExtension) {
			kept = append(kept, e)
		}
	}
	cert.ExtraExtensions = append(kept, ext)
	return nil
}

// ProvisionerTypeOf maps step's type name ("JWK", "x5c", …; any case) to its
// number, 0 when unknown.
func ProvisionerTypeOf(name string) ProvisionerType {
	switch strings.ToUpper(name) {
	case "JWK":
		return ProvisionerTypeJWK
	case "OIDC":
		return ProvisionerTypeOIDC
	case "GCP":
		return ProvisionerTypeGCP
	case "AWS":
		return ProvisionerTypeAWS
	case "AZURE":
		return ProvisionerTypeAzure
	case "ACME":
		return ProvisionerTypeACME
	case "X5C":
		return ProvisionerTypeX5C
	case "K8SSA":
		return ProvisionerTypeK8sSA
	case "SSHPOP":
		return ProvisionerTypeSSHPOP
	case "SCEP":
		return ProvisionerTypeSCEP
	case "NEBULA":
		return ProvisionerTypeNebula
	}
	return 0
}
