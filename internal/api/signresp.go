package api

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/stride-pki/stride/internal/config"
)

// The SignResponse of /sign, /renew and /rekey, written without
// encoding/json's reflection: PEM-encoding the chain and marshalling it for
// every certificate was a twentieth of /sign's CPU and a sixth of its
// allocations. Only the leaf changes between responses, so the rest (the
// intermediates and tlsOptions) is encoded once per chain and reused. The
// bytes are exactly json.Marshal(signResponse{…}) and a newline, as
// writeJSON writes them (TestSignResponseMatchesJSON).

// signTail is the encoded parts of a SignResponse that do not depend on the
// leaf, for one chain and one tlsOptions value.
type signTail struct {
	intermediates []*x509.Certificate
	tlsOptions    *config.TLS
	ca            []byte // `"ca":"<PEM>"`, or `"ca":""` without intermediates
	tail          []byte // the intermediates of certChain, `]`, tlsOptions, `}`
}

// signTails caches the last signTail; a reload with a new chain replaces it.
type signTails struct{ last atomic.Pointer[signTail] }

// get returns the tail for inters and tls, building it when the cached one
// is for another chain or other options.
func (c *signTails) get(inters []*x509.Certificate, tls *config.TLS) (*signTail, error) {
	last := c.last.Load()
	// The authority returns a fresh config.DefaultTLS() per call, so the
	// options are compared by value; DeepEqual keeps that true should
	// config.TLS gain fields, and costs a tenth of marshalling them.
	if last != nil && sameCerts(last.intermediates, inters) && reflect.DeepEqual(last.tlsOptions, tls) {
		return last, nil
	}
	var tlsJSON []byte
	if tls != nil {
		var err error
		if tlsJSON, err = json.Marshal(tls); err != nil {
			return nil, err
		}
	}
	t := &signTail{intermediates: inters, tlsOptions: tls, ca: []byte(`"ca":""`)}
	if len(inters) > 0 {
		t.ca = appendCertJSON([]byte(`"ca":`), inters[0].Raw)
	}
	for _, c := range inters {
		t.tail = appendCertJSON(append(t.tail, ','), c.Raw)
	}
	t.tail = append(t.tail, ']')
	if tlsJSON != nil {
		t.tail = append(append(t.tail, `,"tlsOptions":`...), tlsJSON...)
	}
	t.tail = append(t.tail, '}', '\n')
	c.last.Store(t)
	return t, nil
}

func sameCerts(a, b []*x509.Certificate) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// encode appends the whole response body for leaf to b.
func (t *signTail) encode(b, leaf []byte) []byte {
	pemLen := 64 + base64.StdEncoding.EncodedLen(len(leaf))*34/32
	b = slices.Grow(b, 2*pemLen+len(t.ca)+len(t.tail)+32)
	b = appendCertJSON(append(b, `{"crt":`...), leaf)
	b = append(append(append(b, ','), t.ca...), `,"certChain":[`...)
	b = appendCertJSON(b, leaf)
	return append(b, t.tail...)
}

// appendCertJSON appends the PEM block of a certificate's DER as a JSON
// string, as json.Marshal writes the string pem.EncodeToMemory returns: the
// newlines escaped as \n, nothing else needing an escape (PEM headers here
// are fixed and base64's alphabet is JSON-safe).
func appendCertJSON(b, der []byte) []byte {
	b = append(b, `"-----BEGIN CERTIFICATE-----\n`...)
	// 48 bytes encode to one 64-character PEM line with no padding, so
	// encoding line by line writes what encoding the whole and cutting it
	// at 64 would, without the intermediate copy.
	for len(der) > 0 {
		n := min(len(der), 48)
		b = append(base64.StdEncoding.AppendEncode(b, der[:n]), `\n`...)
		der = der[n:]
	}
	return append(b, `-----END CERTIFICATE-----\n"`...)
}

// writeSignResponse answers status with the SignResponse of leaf.
func writeSignResponse(w http.ResponseWriter, status int, t *signTail, leaf []byte) {
	bp := respBufs.Get().(*[]byte)
	b := t.encode((*bp)[:0], leaf)
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b) // Write does not retain b (io.Writer), so it can be reused
	if cap(b) <= maxPooledBuf {
		*bp = b
		respBufs.Put(bp)
	}
}

// respBufs recycles response bodies: a few KiB per certificate that were
// otherwise garbage as soon as they were written.
var respBufs = sync.Pool{New: func() any { return new([]byte) }}

// maxPooledBuf keeps an unusually large body (a long chain) out of the
// pool, so the pool never pins much memory.
const maxPooledBuf = 64 << 10
