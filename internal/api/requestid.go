package api

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
)

// RequestIDHeader is set on every response; step's client logs it.
const RequestIDHeader = "X-Request-Id"

// DefaultTraceHeader is step-ca's legacy request-id header, read when the
// request has no X-Request-Id (logger.traceHeader overrides the name).
const DefaultTraceHeader = "X-Smallstep-Id"

// maxRequestIDLen bounds a client-chosen id: it is echoed and logged, so it
// must stay short and printable.
const maxRequestIDLen = 128

// requestID returns the id a client sent (X-Request-Id, else the trace
// header) when it is acceptable, else a new UUIDv4.
func requestID(r *http.Request, traceHeader string) string {
	for _, name := range []string{RequestIDHeader, traceHeader} {
		if id := r.Header.Get(name); validRequestID(id) {
			return id
		}
	}
	return newUUID()
}

// validRequestID accepts 1..128 visible ASCII characters; anything else
// (control bytes, spaces, huge values) is replaced rather than echoed.
func validRequestID(id string) bool {
	if id == "" || len(id) > maxRequestIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] < 0x21 || id[i] > 0x7e {
			return false
		}
	}
	return true
}

// newUUID returns a random (version 4, RFC 9562 §5.4) UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:36], b[10:16])
	return string(out[:])
}
