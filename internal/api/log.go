package api

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// entry is the request log entry being built while a request is served.
// Handlers add fields to it through LogAttrs; the middleware writes it once
// the response is done. It lives in the request context because that is
// the one thing every handler and helper already has; it carries data about
// this request only, never services.
type entry struct {
	requestID string

	mu    sync.Mutex
	attrs []slog.Attr
	err   error
	route string

	// attrBuf backs attrs for the usual handful of fields (a signed
	// certificate's six), so adding them allocates nothing more.
	attrBuf [8]slog.Attr
}

type entryKey struct{}

func withEntry(ctx context.Context, e *entry) context.Context {
	return context.WithValue(ctx, entryKey{}, e)
}

// entryFrom returns the request's entry, or nil outside Wrap.
func entryFrom(ctx context.Context) *entry {
	e, _ := ctx.Value(entryKey{}).(*entry)
	return e
}

// LogAttrs adds fields (provisioner, serial, …) to the request log entry of
// the request ctx belongs to. Outside a request served by Wrap it does
// nothing, so callers need not check.
func LogAttrs(ctx context.Context, attrs ...slog.Attr) {
	e := entryFrom(ctx)
	if e == nil {
		return
	}
	e.mu.Lock()
	if e.attrs == nil {
		e.attrs = e.attrBuf[:0]
	}
	e.attrs = append(e.attrs, attrs...)
	e.mu.Unlock()
}

// RequestID returns the X-Request-Id of the request ctx belongs to, "" if
// none.
func RequestID(ctx context.Context) string {
	if e := entryFrom(ctx); e != nil {
		return e.requestID
	}
	return ""
}

func (e *entry) setError(err error) {
	if e == nil {
		return
	}
	e.mu.Lock()
	e.err = err
	e.mu.Unlock()
}

func (e *entry) setRoute(pattern string) {
	e.mu.Lock()
	e.route = pattern
	e.mu.Unlock()
}

// logRequest writes the entry with step-ca's per-request field names
// (reference §10.3). The record is built with a zero time so the handler's
// own "time" key is left out and "time" is the request start, as in step.
func logRequest(log *slog.Logger, e *entry, rec *recorder, r *http.Request, start time.Time) {
	status := rec.status
	if status == 0 {
		status = http.StatusOK // nothing written: net/http answered 200
	}
	level := slog.LevelInfo
	if status >= http.StatusInternalServerError {
		level = slog.LevelError
	}
	ctx := r.Context()
	if !log.Enabled(ctx, level) {
		return
	}
	writeEntry(ctx, log, level, e, rec, r, start, time.Since(start), status)
}

// writeEntry is logRequest's record once the level is known to be enabled
// and the duration d measured.
func writeEntry(ctx context.Context, log *slog.Logger, level slog.Level, e *entry, rec *recorder, r *http.Request, start time.Time, d time.Duration, status int) {
	// The fields go to the record in one AddAttrs call, so it sizes its
	// overflow slice once; the order is the output's.
	var buf [24]slog.Attr
	attrs := append(buf[:0],
		slog.String("request-id", e.requestID),
		slog.String("remote-address", r.RemoteAddr),
	)
	if r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
		attrs = append(attrs, slog.String("name", r.TLS.PeerCertificates[0].Subject.CommonName))
	}
	attrs = append(attrs,
		slog.String("time", start.UTC().Format(time.RFC3339Nano)),
		slog.String("duration", d.String()),
		slog.Int64("duration-ns", d.Nanoseconds()),
		slog.String("method", r.Method),
		slog.String("path", r.URL.RequestURI()),
		slog.String("protocol", r.Proto),
		slog.Int("status", status),
		slog.Int64("size", rec.size),
		slog.String("referer", r.Referer()),
		slog.String("user-agent", r.UserAgent()),
	)
	e.mu.Lock()
	attrs = append(attrs, e.attrs...)
	if e.err != nil {
		attrs = append(attrs, slog.String("error", e.err.Error()))
	}
	e.mu.Unlock()
	rcd := slog.NewRecord(time.Time{}, level, "request", 0)
	rcd.AddAttrs(attrs...)
	_ = log.Handler().Handle(ctx, rcd)
}
