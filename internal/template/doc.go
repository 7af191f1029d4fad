// Package template renders X.509 certificate templates in step's format and
// turns the result into an *x509.Certificate ready for x509.CreateCertificate.
//
// A template is Go text/template source (with sprig's functions, minus those
// that read the environment) whose output is the JSON of Certificate. The flow
// is Parse -> Render(Data) -> ParseCertificateJSON -> Certificate.X509(pub);
// NewCertificate does all of it. Values that come from a request reach the
// JSON only through toJson in the built-in templates, so a hostile name cannot
// add fields to the certificate.
//
// The package is a leaf: it knows nothing of provisioners, storage or HTTP.
// Errors a template raises on purpose with `fail` are *FailError, which the
// API shows to the client as a 400.
package template

// Files, one concept each:
//
//	model.go          the Certificate JSON model and ParseCertificateJSON
//	types.go          JSON value types (string-or-list, OIDs, key usages, ...)
//	sans.go           typed SANs, SANsFromStrings, classification of "auto"
//	sanext.go         the hand-built subjectAltName extension (otherName, dn, ...)
//	convert.go        Certificate.X509, ApplyDNDefaults, KeyID
//	data.go           Data (what "." is in a template) and the CSR view
//	funcs.go          the function map: sprig without env, fail, time helpers
//	asn1funcs.go      asn1Enc, asn1Marshal, asn1Seq, asn1Set
//	render.go         Parse, Render, NewCertificate
//	builtin.go        the built-in templates
//	provisionerext.go the provisioner-ID extension
