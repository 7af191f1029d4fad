package authority

import (
	"crypto"
	"encoding/asn1"

	"github.com/stride-pki/stride/internal/template"
)

var (
	oidSubjectKeyID   = asn1.ObjectIdentifier{2, 5, 29, 14}
	oidAuthorityKeyID = asn1.ObjectIdentifier{2, 5, 29, 35}
)

func keyID(pub crypto.PublicKey) ([]byte, error) { return template.KeyID(pub) }
