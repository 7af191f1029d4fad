package api

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/stride-pki/stride/internal/caerr"
	"github.com/stride-pki/stride/internal/pemutil"
)

// writeJSON writes v as one JSON value and a newline, as step-ca does. v is
// marshalled before the header goes out so an encoding failure can still
// become a 500 rather than a truncated 2xx.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b, _ = json.Marshal(errorBody{Status: status, Message: phraseInternal.render("")})
	}
	b = append(b, '\n')
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writePEM writes certificates as one PEM bundle (the *.pem routes).
func writePEM(w http.ResponseWriter, certs []*x509.Certificate) {
	b := pemutil.EncodeCertificates(certs...)
	w.Header().Set("Content-Type", "application/x-pem-file")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

// certPEM is a certificate as the JSON string step's responses carry.
func certPEM(c *x509.Certificate) string { return string(pemutil.EncodeCertificates(c)) }

func certsPEM(certs []*x509.Certificate) []string {
	out := make([]string, 0, len(certs))
	for _, c := range certs {
		out = append(out, certPEM(c))
	}
	return out
}

// decodeJSON reads the (already capped) body into v. Its errors say what is
// wrong with the body, so a client author can fix the request; the size cap
// surfaces as the *http.MaxBytesError errorFor turns into a 413.
func decodeJSON(r *http.Request, v any) error {
	buf := bodyBufs.Get().(*bytes.Buffer)
	defer putBodyBuf(buf)
	buf.Reset()
	_, err := buf.ReadFrom(r.Body)
	b := buf.Bytes()
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return err
		}
		return caerr.Wrap(caerr.BadRequest, err, "error reading the request body")
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return caerr.BadRequestf("the request body is empty; a JSON object was expected")
	}
	if f, ok := v.(interface{ decodeFast([]byte) bool }); ok && f.decodeFast(b) {
		return nil
	}
	if err := json.Unmarshal(b, v); err != nil {
		return caerr.Wrap(caerr.BadRequest, err, "the request body is not valid JSON: %s", describeJSONError(err))
	}
	return nil
}

// bodyBufs recycles request bodies: json.Unmarshal copies what it keeps
// (strings, RawMessage), so the bytes are free once it returns, and
// io.ReadAll's growing copies were a few allocations per request.
var bodyBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func putBodyBuf(b *bytes.Buffer) {
	if b.Cap() <= maxPooledBuf {
		bodyBufs.Put(b)
	}
}

// describeJSONError turns encoding/json's errors into a short phrase naming
// the field or offset, without echoing the request.
func describeJSONError(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("%s at byte %d", syn.Error(), syn.Offset)
	case errors.As(err, &typ) && typ.Field != "":
		return fmt.Sprintf("field %q must be a %s, not a %s", typ.Field, typ.Type, typ.Value)
	case errors.As(err, &typ):
		return fmt.Sprintf("expected a %s, not a %s", typ.Type, typ.Value)
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

// parseCSR reads the "csr" member of a request: a PEM certificate request.
// Its signature is checked once, by the authority. Errors are 400s naming
// the problem.
func parseCSR(s string) (*x509.CertificateRequest, error) {
	if strings.TrimSpace(s) == "" {
		return nil, caerr.BadRequestf("missing csr")
	}
	if !strings.Contains(s, "-----BEGIN") {
		return nil, caerr.BadRequestf("invalid csr: not a PEM certificate request")
	}
	csr, err := pemutil.ParseCSRUnverified([]byte(s))
	if err != nil {
		return nil, caerr.Wrap(caerr.BadRequest, err, "invalid csr: %v", err)
	}
	return csr, nil
}
