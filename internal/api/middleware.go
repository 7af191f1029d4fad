package api

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"
)

// Wrap puts next behind the API's per-request middleware, outermost first:
// request id (read or made, set on the response), request log and latency
// metric, panic recovery, body cap. New uses it for the CA API; the server
// uses it for routes it serves elsewhere (the plain-HTTP listener) so every
// response carries an X-Request-Id and every request is logged alike.
func Wrap(next http.Handler, opts Options) http.Handler {
	log := loggerOrDiscard(opts.Logger)
	limit := opts.MaxBodyBytes
	if limit <= 0 {
		limit = DefaultMaxBodyBytes
	}
	trace := opts.TraceHeader
	if trace == "" {
		trace = DefaultTraceHeader
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := requestID(r, trace)
		w.Header().Set(RequestIDHeader, id)
		e := &entry{requestID: id}
		r = r.WithContext(withEntry(r.Context(), e))
		rec := &recorder{ResponseWriter: w}

		serve(rec, r, next, limit, log)

		logRequest(log, e, rec, r, start)
		opts.Metrics.observeRequest(e.route, rec.status, time.Since(start))
	})
}

// serve runs next with the body capped and panics contained: a panicking
// handler costs its own request a 500, never the process (security.md R-66).
func serve(rec *recorder, r *http.Request, next http.Handler, limit int64, log *slog.Logger) {
	e := entryFrom(r.Context())
	defer func() {
		// ServeMux records the matched pattern on the request it was given;
		// the latency metric is labelled with it (bounded, unlike the path).
		e.setRoute(r.Pattern)
		v := recover()
		if v == nil {
			return
		}
		if v == http.ErrAbortHandler {
			panic(v) // net/http's own way to abort a response; let it through
		}
		log.Error("panic serving request", "request-id", e.requestID, "path", r.URL.Path,
			"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
		e.setError(fmt.Errorf("panic: %v", v))
		if !rec.wroteHeader {
			writeJSON(rec, http.StatusInternalServerError,
				errorBody{Status: http.StatusInternalServerError, Message: phraseInternal.render("")})
		}
	}()
	if r.Body != nil {
		r.Body = http.MaxBytesReader(rec, r.Body, limit)
	}
	next.ServeHTTP(rec, r)
}

// recorder notes the status and size written, for the log and metrics.
type recorder struct {
	http.ResponseWriter
	status      int
	size        int64
	wroteHeader bool
}

func (w *recorder) WriteHeader(status int) {
	if !w.wroteHeader {
		w.status, w.wroteHeader = status, true
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *recorder) Write(b []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	n, err := w.ResponseWriter.Write(b)
	w.size += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection (flush,
// deadlines) through the recorder.
func (w *recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }
