package api

import (
	"crypto/x509"
	"encoding/asn1"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/stride-pki/stride/internal/authority"
	"github.com/stride-pki/stride/internal/caerr"
	"github.com/stride-pki/stride/internal/config"
)

// signBody is the /sign request (reference §1.2).
type signBody struct {
	CSR          string          `json:"csr"`
	OTT          string          `json:"ott"`
	NotBefore    string          `json:"notBefore"`
	NotAfter     string          `json:"notAfter"`
	TemplateData json.RawMessage `json:"templateData"`
}

// signResponse is step's SignResponse, answered by /sign, /renew and /rekey.
// writeSignResponse (signresp.go) writes it without encoding/json; this type
// is the wire shape its test holds that encoder to.
type signResponse struct {
	Certificate string      `json:"crt"`
	CA          string      `json:"ca"`
	CertChain   []string    `json:"certChain"`
	TLSOptions  *config.TLS `json:"tlsOptions,omitempty"`
}

// decodeSign reads and checks a /sign body: valid JSON, a CSR whose
// signature verifies, a token. What the token allows is the core's call.
func decodeSign(r *http.Request) (authority.SignRequest, error) {
	var b signBody
	if err := decodeJSON(r, &b); err != nil {
		return authority.SignRequest{}, err
	}
	csr, err := parseCSR(b.CSR)
	if err != nil {
		return authority.SignRequest{}, err
	}
	if strings.TrimSpace(b.OTT) == "" {
		return authority.SignRequest{}, caerr.BadRequestf("missing ott")
	}
	return authority.SignRequest{
		CSR: csr, OTT: b.OTT, NotBefore: b.NotBefore, NotAfter: b.NotAfter, TemplateData: b.TemplateData,
	}, nil
}

// sign answers POST /sign with 201 and a SignResponse.
func (h *handler) sign(w http.ResponseWriter, r *http.Request) {
	req, err := decodeSign(r)
	if err != nil {
		writeError(w, r, err)
		return
	}
	issued, err := h.auth.Sign(r.Context(), req)
	if err != nil {
		h.metrics.X509Signed("", false)
		writeError(w, r, err)
		return
	}
	name := provisionerName(issued.Certificate)
	h.metrics.X509Signed(name, true)
	h.writeIssued(w, r, issued, name)
}

// writeIssued logs the certificate's fields and answers 201 SignResponse.
// provisioner is provisionerName(is.Certificate), which the caller has read
// for its metric already (an ASN.1 decode saved per certificate).
func (h *handler) writeIssued(w http.ResponseWriter, r *http.Request, is *authority.Issued, provisioner string) {
	if is == nil || is.Certificate == nil {
		writeError(w, r, errNoCertificate)
		return
	}
	logCertificate(r, is.Certificate, provisioner)
	tls := h.auth.TLSOptions()
	if tls == nil {
		tls = config.DefaultTLS()
	}
	tail, err := h.signTails.get(is.Intermediates, tls)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeSignResponse(w, http.StatusCreated, tail, is.Certificate.Raw)
}

// errNoCertificate is a core bug: success without a certificate.
var errNoCertificate = errors.New("the authority returned no certificate")

// logCertificate adds step's certificate fields to the request log.
func logCertificate(r *http.Request, c *x509.Certificate, provisioner string) {
	LogAttrs(r.Context(),
		slog.String("serial", c.SerialNumber.String()),
		slog.String("subject", c.Subject.CommonName),
		slog.String("issuer", c.Issuer.CommonName),
		slog.Time("valid-from", c.NotBefore),
		slog.Time("valid-to", c.NotAfter),
		slog.String("provisioner", provisioner),
	)
}

// oidProvisioner is step's provisioner-ID extension (1.3.6.1.4.1.37476.9000.64.1).
var oidProvisioner = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 37476, 9000, 64, 1}

// provisionerName reads the provisioner's name from a certificate's
// provisioner-ID extension, for metric labels and the log; "" when absent
// (disableSmallstepExtensions) or unreadable. Reading it from the signed
// certificate, rather than from the unverified token, keeps the label
// set bounded by the CA's own provisioners.
func provisionerName(c *x509.Certificate) string {
	if c == nil {
		return ""
	}
	for _, ext := range c.Extensions {
		if !ext.Id.Equal(oidProvisioner) {
			continue
		}
		// SEQUENCE { type INTEGER, name OCTET STRING, … }; encoding/asn1
		// tolerates the trailing members this struct leaves out.
		var v struct {
			Type int
			Name []byte
		}
		if _, err := asn1.Unmarshal(ext.Value, &v); err != nil {
			return ""
		}
		return string(v.Name)
	}
	return ""
}
