package certcmd

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/md5" //nolint:gosec // step's JSON carries an MD5 fingerprint
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // step's JSON carries a SHA-1 fingerprint
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"net"
	"strings"
	"time"
)

// The JSON of `certificate inspect --format json` for a certificate. Field
// names, nesting and order follow step's output (itself zcrypto's certificate
// JSON) so the two can be compared field by field.

type sigAlgJSON struct {
	Name string `json:"name,omitempty"`
	OID  string `json:"oid"`
}

type validityJSON struct {
	Start  string `json:"start"`
	End    string `json:"end"`
	Length int    `json:"length"`
}

type keyInfoJSON struct {
	KeyAlgorithm struct {
		Name string `json:"name"`
	} `json:"key_algorithm"`
	RSAPublicKey   *rsaKeyJSON    `json:"rsa_public_key,omitempty"`
	ECDSAPublicKey map[string]any `json:"ecdsa_public_key,omitempty"`
	Fingerprint    string         `json:"fingerprint_sha256"`
}

type rsaKeyJSON struct {
	Exponent int    `json:"exponent"`
	Modulus  []byte `json:"modulus"`
	Length   int    `json:"length"`
}

type signatureJSON struct {
	SignatureAlgorithm sigAlgJSON `json:"signature_algorithm"`
	Value              []byte     `json:"value"`
	Valid              bool       `json:"valid"`
	SelfSigned         bool       `json:"self_signed"`
}

type unknownExtJSON struct {
	ID       string `json:"id"`
	Critical bool   `json:"critical"`
	Value    []byte `json:"value,omitempty"`
}

type certJSON struct {
	Version                int                 `json:"version"`
	SerialNumber           string              `json:"serial_number"`
	SignatureAlgorithm     sigAlgJSON          `json:"signature_algorithm"`
	Issuer                 map[string][]string `json:"issuer"`
	IssuerDN               string              `json:"issuer_dn,omitempty"`
	Validity               validityJSON        `json:"validity"`
	Subject                map[string][]string `json:"subject"`
	SubjectDN              string              `json:"subject_dn,omitempty"`
	SubjectKeyInfo         keyInfoJSON         `json:"subject_key_info"`
	Extensions             *extensionsJSON     `json:"extensions,omitempty"`
	UnknownExtensions      []unknownExtJSON    `json:"unknown_extensions,omitempty"`
	Signature              signatureJSON       `json:"signature"`
	FingerprintMD5         string              `json:"fingerprint_md5"`
	FingerprintSHA1        string              `json:"fingerprint_sha1"`
	FingerprintSHA256      string              `json:"fingerprint_sha256"`
	FingerprintNoCT        string              `json:"tbs_noct_fingerprint"`
	SPKISubjectFingerprint string              `json:"spki_subject_fingerprint"`
	TBSFingerprint         string              `json:"tbs_fingerprint"`
	ValidationLevel        string              `json:"validation_level"`
	Names                  []string            `json:"names,omitempty"`
	Redacted               bool                `json:"redacted"`
}

// toCertJSON builds step's JSON view of c.
func toCertJSON(c *x509.Certificate) *certJSON {
	sig := sigAlgJSON{Name: c.SignatureAlgorithm.String(), OID: sigAlgOIDs[c.SignatureAlgorithm]}
	j := &certJSON{
		Version:            c.Version,
		SerialNumber:       c.SerialNumber.String(),
		SignatureAlgorithm: sig,
		Issuer:             nameJSON(c.Issuer),
		IssuerDN:           dnString(c.Issuer, ", "),
		Validity: validityJSON{
			Start:  c.NotBefore.UTC().Format(time.RFC3339),
			End:    c.NotAfter.UTC().Format(time.RFC3339),
			Length: int(c.NotAfter.Sub(c.NotBefore).Seconds()),
		},
		Subject:        nameJSON(c.Subject),
		SubjectDN:      dnString(c.Subject, ", "),
		SubjectKeyInfo: keyInfo(c),
		Signature: signatureJSON{
			SignatureAlgorithm: sig,
			Value:              c.Signature,
			SelfSigned:         isSelfSigned(c),
		},
		FingerprintMD5:         hexSum(md5.Sum(c.Raw)),
		FingerprintSHA1:        hexSum(sha1.Sum(c.Raw)),
		FingerprintSHA256:      hexSum(sha256.Sum256(c.Raw)),
		FingerprintNoCT:        hexSum(sha256.Sum256(tbsWithoutCT(c))),
		SPKISubjectFingerprint: hexSum(sha256.Sum256(append(append([]byte{}, c.RawSubjectPublicKeyInfo...), c.RawSubject...))),
		TBSFingerprint:         hexSum(sha256.Sum256(c.RawTBSCertificate)),
		ValidationLevel:        validationLevel(c),
		Names:                  certNames(c),
	}
	j.Extensions, j.UnknownExtensions = extensionsOf(c)
	for _, n := range j.Names {
		if strings.HasPrefix(n, "?") {
			j.Redacted = true
		}
	}
	return j
}

func hexSum[T [16]byte | [20]byte | [32]byte](sum T) string {
	switch s := any(sum).(type) {
	case [16]byte:
		return hex.EncodeToString(s[:])
	case [20]byte:
		return hex.EncodeToString(s[:])
	case [32]byte:
		return hex.EncodeToString(s[:])
	}
	return ""
}

// isSelfSigned is step's test: same subject and issuer bytes, and the
// certificate's own key verifies its signature.
func isSelfSigned(c *x509.Certificate) bool {
	return bytes.Equal(c.RawSubject, c.RawIssuer) &&
		c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil
}

func keyInfo(c *x509.Certificate) keyInfoJSON {
	var k keyInfoJSON
	k.KeyAlgorithm.Name = c.PublicKeyAlgorithm.String()
	k.Fingerprint = hexSum(sha256.Sum256(c.RawSubjectPublicKeyInfo))
	switch pub := c.PublicKey.(type) {
	case *rsa.PublicKey:
		mod := pub.N.Bytes()
		k.RSAPublicKey = &rsaKeyJSON{Exponent: pub.E, Modulus: mod, Length: len(mod) * 8}
	case *ecdsa.PublicKey:
		k.ECDSAPublicKey = ecdsaKeyJSON(pub)
	}
	return k
}

// ecdsaKeyJSON lists the curve parameters and the point; a map, as in step,
// so the keys come out sorted.
func ecdsaKeyJSON(pub *ecdsa.PublicKey) map[string]any {
	p := pub.Params()
	m := map[string]any{
		"p": p.P.Bytes(), "n": p.N.Bytes(), "b": p.B.Bytes(), "gx": p.Gx.Bytes(), "gy": p.Gy.Bytes(),
		"x": pub.X.Bytes(), "y": pub.Y.Bytes(), "curve": p.Name, "length": p.BitSize,
	}
	if raw, err := pub.Bytes(); err == nil {
		m["pub"] = raw
	}
	return m
}

// validationLevel follows step's JSON: only certificates with a policies
// extension that are not self-signed get a CA/Browser Forum level.
func validationLevel(c *x509.Certificate) string {
	if len(c.PolicyIdentifiers) == 0 || isSelfSigned(c) {
		return "unknown"
	}
	level := 0
	for _, oid := range c.PolicyIdentifiers {
		switch oid.String() {
		case "2.23.140.1.1":
			return "EV"
		case "2.23.140.1.2.2", "2.23.140.1.2.3":
			level = max(level, 2)
		case "2.23.140.1.2.1":
			level = max(level, 1)
		}
	}
	if level == 0 && domainValidatedByName(c) {
		level = 1
	}
	return [...]string{"unknown", "DV", "OV"}[level]
}

// domainValidatedByName is the heuristic for DV certificates that predate the
// CA/B Forum policy OIDs.
func domainValidatedByName(c *x509.Certificate) bool {
	s := c.Subject
	named := len(s.Organization) > 0 && s.Organization[0] == s.CommonName ||
		len(s.OrganizationalUnit) > 0 && strings.Contains(s.OrganizationalUnit[0], "Domain Control Validated")
	return named && len(s.Locality) == 0 && len(s.Province) == 0 && len(s.PostalCode) == 0
}

// certNames lists the names a certificate is valid for, as step's "names":
// the common name when it looks like a host name, then DNS names, URIs and IP
// addresses, without duplicates. (step's order is random; ours is stable.)
// Like step, it keeps only the URIs whose scheme is in urlSchemes: spiffe:,
// urn: or ldap: URIs are not names.
func certNames(c *x509.Certificate) []string {
	var out []string
	seen := map[string]bool{}
	add := func(s string) {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	if looksLikeHost(c.Subject.CommonName) {
		add(c.Subject.CommonName)
	}
	for _, d := range c.DNSNames {
		add(d)
	}
	for _, u := range c.URIs {
		if urlSchemes[strings.ToLower(u.Scheme)] {
			add(u.String())
		}
	}
	for _, ip := range c.IPAddresses {
		add(ip.String())
	}
	return out
}

// urlSchemes are the URI schemes step counts as names (what its URL check
// accepts; compared with step v0.30.6).
var urlSchemes = map[string]bool{"http": true, "https": true, "ftp": true, "tcp": true, "udp": true, "ws": true, "wss": true}

// looksLikeHost accepts what step treats as a name: a dotted host name (with
// an optional "*." or "?." prefix) or an IP address.
func looksLikeHost(s string) bool {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "*."), "?.")
	if net.ParseIP(s) != nil {
		return true
	}
	if !strings.Contains(s, ".") || strings.HasPrefix(s, ".") || strings.HasSuffix(s, ".") {
		return false
	}
	for _, r := range s {
		ok := r == '.' || r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
		if !ok {
			return false
		}
	}
	return true
}
