package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/stride-pki/stride/internal/caerr"
)

// errorBody is step's CA API error JSON (reference §1.3); the step CLI
// prints message and reads status.
type errorBody struct {
	Status  int    `json:"status"`
	Message string `json:"message"`
}

// logsSuffix ends every default message, as in step-ca: the requester is told
// where the detail went, because it was not sent.
const logsSuffix = " Please see the certificate authority logs for more info."

// phrase is how one status speaks: lead is followed by ": <msg>." for an
// explicit message, or by tail (then the suffix) for the default one.
type phrase struct{ lead, tail string }

var (
	phraseBadRequest     = phrase{"The request could not be completed", "; malformed or missing data."}
	phraseUnauthorized   = phrase{"The request lacked necessary authorization to be completed", "."}
	phraseForbidden      = phrase{"The request was forbidden by the certificate authority", "."}
	phraseNotFound       = phrase{"The requested resource could not be found", "."}
	phraseNotImplemented = phrase{"The requested method is not implemented by the certificate authority", "."}
	phraseUnavailable    = phrase{"The certificate authority is temporarily unavailable", "."}
	phraseInternal       = phrase{"The certificate authority encountered an Internal Server Error", "."}
)

func (p phrase) render(msg string) string {
	msg = strings.TrimSuffix(strings.TrimSpace(msg), ".")
	if msg == "" {
		return p.lead + p.tail + logsSuffix
	}
	return p.lead + ": " + msg + "."
}

// errorFor maps an error to its status and the message the requester reads.
// It is the one exhaustive switch on caerr.Kind; anything it does not know is
// a 500 whose cause stays in the log.
func errorFor(err error) (int, string) {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		// Not a domain error: the API's own body cap (see DefaultMaxBodyBytes).
		return http.StatusRequestEntityTooLarge,
			fmt.Sprintf("The request body is larger than the limit of %d bytes.", tooBig.Limit)
	}
	kind := caerr.KindOf(err)
	if kind == caerr.Internal && (errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)) {
		// A core that ran out of time (slow DB, HSM) is unavailable, not
		// broken: a retry may succeed, and 503 says so.
		kind = caerr.Unavailable
	}
	msg := caerr.Message(err)
	switch kind {
	case caerr.BadRequest:
		return http.StatusBadRequest, phraseBadRequest.render(msg)
	case caerr.Unauthorized:
		return http.StatusUnauthorized, phraseUnauthorized.render(msg)
	case caerr.Forbidden:
		return http.StatusForbidden, phraseForbidden.render(msg)
	case caerr.NotFound:
		return http.StatusNotFound, phraseNotFound.render(msg)
	case caerr.NotImplemented:
		return http.StatusNotImplemented, phraseNotImplemented.render(msg)
	case caerr.Unavailable:
		return http.StatusServiceUnavailable, phraseUnavailable.render(msg)
	case caerr.Internal:
		return http.StatusInternalServerError, phraseInternal.render("")
	default:
		return http.StatusInternalServerError, phraseInternal.render("")
	}
}

// writeError answers with step's error JSON and hands the full error (cause
// included) to the request log, which carries the request id.
func writeError(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := errorFor(err)
	if e := entryFrom(r.Context()); e != nil {
		e.setError(err)
	}
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "5")
	}
	writeJSON(w, status, errorBody{Status: status, Message: msg})
}

// adminErrorBody is the admin API's error JSON (reference §1.5).
type adminErrorBody struct {
	Type    string `json:"type"`
	Detail  string `json:"detail"`
	Message string `json:"message"`
}

// adminDisabled answers the step CLI's probe GET /admin/admins when remote
// management is off. step-ca then has no /admin router at all, so the probe
// gets a 404, which tells the CLI to edit ca.json (a 401 would send it to
// the admin API). Stride keeps the 404 and adds the admin error JSON so a
// person reading it learns why.
func adminDisabled(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusNotFound, adminErrorBody{
		Type:    "notFound",
		Detail:  "resource not found",
		Message: "remote management is not enabled on this CA (authority.enableAdmin); edit ca.json and reload",
	})
}
