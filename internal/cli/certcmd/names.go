package certcmd

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"strings"
)

// Tables of names shared by the text and JSON renderings.

// attrNames maps a distinguished-name attribute OID to its short label (as
// printed in a DN) and the key step's JSON uses for it.
var attrNames = map[string]struct{ short, json string }{
	"2.5.4.3":                    {"CN", "common_name"},
	"2.5.4.4":                    {"SN", "surname"},
	"2.5.4.5":                    {"SERIALNUMBER", "serial_number"},
	"2.5.4.6":                    {"C", "country"},
	"2.5.4.7":                    {"L", "locality"},
	"2.5.4.8":                    {"ST", "province"},
	"2.5.4.9":                    {"STREET", "street_address"},
	"2.5.4.10":                   {"O", "organization"},
	"2.5.4.11":                   {"OU", "organizational_unit"},
	"2.5.4.17":                   {"POSTALCODE", "postal_code"},
	"2.5.4.42":                   {"GN", "given_name"},
	"2.5.4.97":                   {"organizationIdentifier", "organization_id"},
	"0.9.2342.19200300.100.1.25": {"DC", "domain_component"},
	"1.2.840.113549.1.9.1":       {"emailAddress", "email_address"},
	"1.3.6.1.4.1.311.60.2.1.1":   {"jurisdictionLocality", "jurisdiction_locality"},
	"1.3.6.1.4.1.311.60.2.1.2":   {"jurisdictionStateOrProvince", "jurisdiction_province"},
	"1.3.6.1.4.1.311.60.2.1.3":   {"jurisdictionCountry", "jurisdiction_country"},
}

// dnString renders a name in encoded order, the way step prints it: text
// output joins with "," and JSON's subject_dn with ", ".
func dnString(n pkix.Name, sep string) string {
	parts := make([]string, 0, len(n.Names))
	for _, atv := range n.Names {
		label := atv.Type.String()
		if a, ok := attrNames[label]; ok {
			label = a.short
		}
		parts = append(parts, label+"="+fmt.Sprint(atv.Value))
	}
	return strings.Join(parts, sep)
}

// nameJSON groups a name's string attributes by their JSON key.
func nameJSON(n pkix.Name) map[string][]string {
	out := map[string][]string{}
	for _, atv := range n.Names {
		s, ok := atv.Value.(string)
		a, known := attrNames[atv.Type.String()]
		if !ok || !known {
			continue
		}
		out[a.json] = append(out[a.json], s)
	}
	return out
}

// sigAlgOIDs maps Go's signature algorithms to their OIDs.
var sigAlgOIDs = map[x509.SignatureAlgorithm]string{
	x509.MD5WithRSA:       "1.2.840.113549.1.1.4",
	x509.SHA1WithRSA:      "1.2.840.113549.1.1.5",
	x509.SHA256WithRSA:    "1.2.840.113549.1.1.11",
	x509.SHA384WithRSA:    "1.2.840.113549.1.1.12",
	x509.SHA512WithRSA:    "1.2.840.113549.1.1.13",
	x509.SHA256WithRSAPSS: "1.2.840.113549.1.1.10",
	x509.SHA384WithRSAPSS: "1.2.840.113549.1.1.10",
	x509.SHA512WithRSAPSS: "1.2.840.113549.1.1.10",
	x509.DSAWithSHA1:      "1.2.840.10040.4.3",
	x509.DSAWithSHA256:    "2.16.840.1.101.3.4.3.2",
	x509.ECDSAWithSHA1:    "1.2.840.10045.4.1",
	x509.ECDSAWithSHA256:  "1.2.840.10045.4.3.2",
	x509.ECDSAWithSHA384:  "1.2.840.10045.4.3.3",
	x509.ECDSAWithSHA512:  "1.2.840.10045.4.3.4",
	x509.PureEd25519:      "1.3.101.112",
}

// ekuNames maps extended key usages to step's JSON key and text label.
var ekuNames = map[x509.ExtKeyUsage]struct{ json, text string }{
	x509.ExtKeyUsageAny:                            {"any", "Any Extended Key Usage"},
	x509.ExtKeyUsageServerAuth:                     {"server_auth", "Server Authentication"},
	x509.ExtKeyUsageClientAuth:                     {"client_auth", "Client Authentication"},
	x509.ExtKeyUsageCodeSigning:                    {"code_signing", "Code Signing"},
	x509.ExtKeyUsageEmailProtection:                {"email_protection", "E-mail Protection"},
	x509.ExtKeyUsageIPSECEndSystem:                 {"ipsec_end_system", "IPSec End System"},
	x509.ExtKeyUsageIPSECTunnel:                    {"ipsec_tunnel", "IPSec Tunnel"},
	x509.ExtKeyUsageIPSECUser:                      {"ipsec_user", "IPSec User"},
	x509.ExtKeyUsageTimeStamping:                   {"time_stamping", "Time Stamping"},
	x509.ExtKeyUsageOCSPSigning:                    {"ocsp_signing", "OCSP Signing"},
	x509.ExtKeyUsageMicrosoftServerGatedCrypto:     {"microsoft_server_gated_crypto", "Microsoft Server Gated Crypto"},
	x509.ExtKeyUsageNetscapeServerGatedCrypto:      {"netscape_server_gated_crypto", "Netscape Server Gated Crypto"},
	x509.ExtKeyUsageMicrosoftCommercialCodeSigning: {"", "Microsoft Commercial Code Signing"},
	x509.ExtKeyUsageMicrosoftKernelCodeSigning:     {"microsoft_kernel_mode_code_signing", "Microsoft Kernel Code Signing"},
}

// ekuJSONOrder is the order step's JSON lists extended key usages in. A usage
// without a JSON name in ekuNames is listed under "unknown" by its OID.
var ekuJSONOrder = []x509.ExtKeyUsage{
	x509.ExtKeyUsageOCSPSigning, x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageCodeSigning,
	x509.ExtKeyUsageTimeStamping, x509.ExtKeyUsageNetscapeServerGatedCrypto,
	x509.ExtKeyUsageMicrosoftKernelCodeSigning, x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageIPSECEndSystem,
	x509.ExtKeyUsageIPSECUser, x509.ExtKeyUsageEmailProtection, x509.ExtKeyUsageMicrosoftServerGatedCrypto,
	x509.ExtKeyUsageAny, x509.ExtKeyUsageIPSECTunnel,
}

// ekuOIDs gives the OID of the usages step's JSON does not name.
var ekuOIDs = map[x509.ExtKeyUsage]string{
	x509.ExtKeyUsageMicrosoftCommercialCodeSigning: "1.3.6.1.4.1.311.2.1.22",
}

// keyUsageBits lists key usages in bit order with step's JSON key and text label.
var keyUsageBits = []struct {
	bit        x509.KeyUsage
	json, text string
}{
	{x509.KeyUsageDigitalSignature, "digital_signature", "Digital Signature"},
	{x509.KeyUsageContentCommitment, "content_commitment", "Content Commitment"},
	{x509.KeyUsageKeyEncipherment, "key_encipherment", "Key Encipherment"},
	{x509.KeyUsageDataEncipherment, "data_encipherment", "Data Encipherment"},
	{x509.KeyUsageKeyAgreement, "key_agreement", "Key Agreement"},
	{x509.KeyUsageCertSign, "certificate_sign", "Certificate Sign"},
	{x509.KeyUsageCRLSign, "crl_sign", "CRL Sign"},
	{x509.KeyUsageEncipherOnly, "encipher_only", "Encipher Only"},
	{x509.KeyUsageDecipherOnly, "decipher_only", "Decipher Only"},
}

// Extension OIDs rendered by name; anything else is "unknown".
var (
	oidKeyUsage         = asn1.ObjectIdentifier{2, 5, 29, 15}
	oidBasicConstraints = asn1.ObjectIdentifier{2, 5, 29, 19}
	oidSAN              = asn1.ObjectIdentifier{2, 5, 29, 17}
	oidNameConstraints  = asn1.ObjectIdentifier{2, 5, 29, 30}
	oidCRLDP            = asn1.ObjectIdentifier{2, 5, 29, 31}
	oidAKI              = asn1.ObjectIdentifier{2, 5, 29, 35}
	oidSKI              = asn1.ObjectIdentifier{2, 5, 29, 14}
	oidEKU              = asn1.ObjectIdentifier{2, 5, 29, 37}
	oidPolicies         = asn1.ObjectIdentifier{2, 5, 29, 32}
	oidAIA              = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 1}
	oidStepProvisioner  = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 37476, 9000, 64, 1}
)

// knownExtension reports whether step's JSON renders id under "extensions"
// rather than "unknown_extensions".
func knownExtension(id asn1.ObjectIdentifier) bool {
	for _, k := range []asn1.ObjectIdentifier{oidKeyUsage, oidBasicConstraints, oidSAN, oidNameConstraints,
		oidCRLDP, oidAKI, oidSKI, oidEKU, oidPolicies, oidAIA, oidStepProvisioner} {
		if id.Equal(k) {
			return true
		}
	}
	return false
}
