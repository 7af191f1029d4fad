package template

// The built-in X.509 templates. They match step's defaults in meaning; every
// value that comes from a request goes through toJson, so a name such as
// `a", "isCA": true` stays a string and cannot add a field.

// LeafTemplate is the default for token provisioners (JWK, X5C, ACME, OIDC):
// the verified subject and SANs, digitalSignature (plus keyEncipherment for
// RSA keys, which TLS RSA key exchange needs), serverAuth and clientAuth.
const LeafTemplate = `{
	"subject": {{ toJson .Subject }},
	"sans": {{ toJson .SANs }},
	"keyUsage": [{{ if typeIs "*rsa.PublicKey" .Insecure.CR.PublicKey }}"keyEncipherment", {{ end }}"digitalSignature"],
	"extKeyUsage": ["serverAuth", "clientAuth"]
}`

// AttestedLeafTemplate is LeafTemplate for device-attested (ACME
// permanent-identifier) certificates, which only authenticate clients.
const AttestedLeafTemplate = `{
	"subject": {{ toJson .Subject }},
	"sans": {{ toJson .SANs }},
	"keyUsage": [{{ if typeIs "*rsa.PublicKey" .Insecure.CR.PublicKey }}"keyEncipherment", {{ end }}"digitalSignature"],
	"extKeyUsage": ["clientAuth"]
}`

// IIDLeafTemplate is for cloud instance-identity provisioners (AWS, GCP,
// Azure): the common name comes from the CSR, and .SANs is what the
// provisioner decided (the verified instance names with disableCustomSANs,
// the CSR's names otherwise).
const IIDLeafTemplate = `{
	"subject": {"commonName": {{ toJson .Insecure.CR.Subject.CommonName }}},
	"sans": {{ toJson .SANs }},
	"keyUsage": [{{ if typeIs "*rsa.PublicKey" .Insecure.CR.PublicKey }}"keyEncipherment", {{ end }}"digitalSignature"],
	"extKeyUsage": ["serverAuth", "clientAuth"]
}`

// AdminLeafTemplate takes the subject and every name from the CSR; it is for
// requesters allowed any name (K8sSA, OIDC admins).
const AdminLeafTemplate = `{
	"subject": {{ toJson .Insecure.CR.Subject }},
	"dnsNames": {{ toJson .Insecure.CR.DNSNames }},
	"emailAddresses": {{ toJson .Insecure.CR.EmailAddresses }},
	"ipAddresses": {{ toJson .Insecure.CR.IPAddresses }},
	"uris": {{ toJson .Insecure.CR.URIs }},
	"keyUsage": [{{ if typeIs "*rsa.PublicKey" .Insecure.CR.PublicKey }}"keyEncipherment", {{ end }}"digitalSignature"],
	"extKeyUsage": ["serverAuth", "clientAuth"]
}`

// IntermediateTemplate makes a CA that may sign only leaves (pathlen 0).
const IntermediateTemplate = `{
	"subject": {{ toJson .Subject }},
	"keyUsage": ["certSign", "crlSign"],
	"basicConstraints": {"isCA": true, "maxPathLen": 0}
}`

// RootTemplate makes a self-signed root allowing one intermediate level.
const RootTemplate = `{
	"subject": {{ toJson .Subject }},
	"issuer": {{ toJson .Subject }},
	"keyUsage": ["certSign", "crlSign"],
	"basicConstraints": {"isCA": true, "maxPathLen": 1}
}`

// SelfSignedLeafTemplate is LeafTemplate with issuer = subject, for
// `certificate create --profile self-signed`.
const SelfSignedLeafTemplate = `{
	"subject": {{ toJson .Subject }},
	"issuer": {{ toJson .Subject }},
	"sans": {{ toJson .SANs }},
	"keyUsage": [{{ if typeIs "*rsa.PublicKey" .Insecure.CR.PublicKey }}"keyEncipherment", {{ end }}"digitalSignature"],
	"extKeyUsage": ["serverAuth", "clientAuth"]
}`

// CertificateRequestTemplate copies the CSR as it is: subject, names and
// requested extensions. It trusts the requester completely; it exists for
// provisioners whose requesters are trusted to ask for anything.
const CertificateRequestTemplate = `{{ toJson .Insecure.CR }}`
