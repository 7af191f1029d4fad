package authority

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"net"
	"slices"
	"strings"

	"github.com/stride-pki/stride/internal/caerr"
	"github.com/stride-pki/stride/internal/keys"
	"github.com/stride-pki/stride/internal/provisioner"
	"github.com/stride-pki/stride/internal/template"
)

// Sign authorizes req's one-time token, checks the CSR against it, renders
// the provisioner's template, applies claims and policy, signs, and records
// the certificate together with the used token before returning it.
func (a *Authority) Sign(ctx context.Context, req SignRequest) (*Issued, error) {
	if req.CSR == nil {
		return nil, caerr.BadRequestf("missing csr")
	}
	if req.OTT == "" {
		return nil, caerr.BadRequestf("missing ott")
	}
	auth, err := a.provs.AuthorizeSign(ctx, req.OTT)
	if err != nil {
		return nil, err
	}
	prov := auth.Provisioner
	if err := checkCSR(req.CSR, auth); err != nil {
		return nil, err
	}
	data := signTemplateData(auth, req)
	cert, err := a.renderLeaf(prov, req.CSR, data)
	if err != nil {
		return nil, err
	}
	if err := a.applyValidity(cert, prov, req.NotBefore, req.NotAfter); err != nil {
		return nil, err
	}
	return a.issue(ctx, cert, prov, &auth.Token, "")
}

// checkCSR enforces what the token binds: the CSR's signature and key, its CN
// (the token subject or one of its SANs), for each kind of name it carries the
// same set the token authorizes, and the cnf fingerprint.
func checkCSR(csr *x509.CertificateRequest, auth *provisioner.SignAuthorization) error {
	if err := csr.CheckSignature(); err != nil {
		return caerr.BadRequestf("the certificate request's signature is invalid")
	}
	if err := keys.CheckPublicKey(csr.PublicKey); err != nil {
		return caerr.Forbiddenf("certificate request: %v", err)
	}
	if cn := csr.Subject.CommonName; cn != "" && cn != auth.Subject && !slices.Contains(auth.SANs, cn) {
		return caerr.Forbiddenf("certificate request common name %q is not the token subject or one of its SANs", cn)
	}
	tok := splitNames(auth.SANs)
	req := namesOf(csr)
	for _, kind := range []string{"dns", "ip", "email", "uri"} {
		if len(req[kind]) > 0 && !sameSet(req[kind], tok[kind]) {
			return caerr.Forbiddenf("certificate request %s names %v do not match the token's %v", kind, req[kind], tok[kind])
		}
	}
	if auth.CNF != "" {
		sum := sha256.Sum256(csr.Raw)
		if base64.RawURLEncoding.EncodeToString(sum[:]) != auth.CNF {
			return caerr.Forbiddenf("certificate request does not match the token's cnf fingerprint")
		}
	}
	return nil
}

// signTemplateData is what the template sees: the verified subject and SANs,
// the token's claims, the X5C certificate and the request's templateData.
func signTemplateData(auth *provisioner.SignAuthorization, req SignRequest) template.Data {
	data := template.NewData(auth.Subject, auth.SANs)
	data.SetToken(auth.Token.Claims)
	if auth.AuthorizationCrt != nil {
		data.SetAuthorizationCertificate(auth.AuthorizationCrt)
		data.SetAuthorizationCertificateChain(auth.AuthorizationChain)
	}
	if len(req.TemplateData) > 0 {
		var user map[string]any
		if json.Unmarshal(req.TemplateData, &user) == nil {
			data.SetUserData(user)
		}
	}
	return data
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// splitNames classifies token SANs the way the template classifies them.
func splitNames(names []string) map[string][]string {
	out := map[string][]string{}
	for _, san := range template.SANsFromStrings(names) {
		kind := san.Type
		v := strings.ToLower(san.Value)
		switch kind {
		case "auto", "":
			kind = "dns"
		case "ip":
			if ip := net.ParseIP(san.Value); ip != nil {
				v = ip.String()
			}
		}
		out[kind] = append(out[kind], v)
	}
	return out
}

func namesOf(csr *x509.CertificateRequest) map[string][]string {
	out := map[string][]string{}
	for _, d := range csr.DNSNames {
		out["dns"] = append(out["dns"], strings.ToLower(d))
	}
	for _, ip := range csr.IPAddresses {
		out["ip"] = append(out["ip"], ip.String())
	}
	for _, e := range csr.EmailAddresses {
		out["email"] = append(out["email"], strings.ToLower(e))
	}
	for _, u := range csr.URIs {
		out["uri"] = append(out["uri"], strings.ToLower(u.String()))
	}
	return out
}
