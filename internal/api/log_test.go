package api

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// logCase is one request-log entry as a /sign (or a failed or mTLS)
// request leaves it.
type logCase struct {
	name  string
	req   func() *http.Request
	entry func(r *http.Request) *entry
	rec   recorder
	start time.Time
}

func logCases() []logCase {
	start := time.Date(2026, 11, 23, 18, 40, 1, 123456789, time.FixedZone("X", 3600))
	leaf := &x509.Certificate{
		SerialNumber: new(big.Int).SetBytes([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}),
		Subject:      pkix.Name{CommonName: "host-1.bench.internal"},
		Issuer:       pkix.Name{CommonName: "Bench Intermediate CA"},
		NotBefore:    time.Date(2026, 11, 23, 18, 39, 1, 0, time.UTC),
		NotAfter:     time.Date(2026, 11, 24, 18, 40, 1, 0, time.UTC),
	}
	signReq := func() *http.Request {
		r := httptest.NewRequest(http.MethodPost, "https://ca.internal:9000/1.0/sign", strings.NewReader("{}"))
		r.RemoteAddr = "127.0.0.1:51234"
		r.Header.Set("User-Agent", "Smallstep CLI/0.28.0 (linux/amd64)")
		return r
	}
	withCert := func(r *http.Request) *entry {
		e := &entry{requestID: "d4Qx1b2kTz6mN0pQ"}
		logCertificate(r.WithContext(withEntry(r.Context(), e)), leaf, "bench-admin")
		return e
	}
	return []logCase{
		{"sign", signReq, withCert, recorder{status: http.StatusCreated, size: 1843}, start},
		{"error", func() *http.Request {
			r := signReq()
			r.Header.Set("Referer", "https://example.com/a \"quoted\" referer")
			r.Header.Set("User-Agent", "")
			return r
		}, func(*http.Request) *entry {
			return &entry{requestID: "id with space", err: errors.New("db down: \"x\"\nline two")}
		}, recorder{status: http.StatusServiceUnavailable, size: 77}, start},
		{"mtls, no status", func() *http.Request {
			r := httptest.NewRequest(http.MethodPost, "/1.0/renew?x=1&y=%20", nil)
			r.TLS = &tls.ConnectionState{PeerCertificates: []*x509.Certificate{leaf}}
			return r
		}, withCert, recorder{}, start},
		{"unicode", func() *http.Request {
			r := httptest.NewRequest(http.MethodGet, "/roots", nil)
			r.Header.Set("User-Agent", "ünïcödé\tagent=1")
			return r
		}, func(*http.Request) *entry {
			return &entry{requestID: "", attrs: []slog.Attr{slog.Any("extra", []string{"a", "b"}), slog.Bool("flag", true)}}
		}, recorder{status: http.StatusOK, size: 0}, time.Time{}},
	}
}

// TestLogRequestOutput holds the request log to the record the original
// logRequest built (referenceEntry, kept below): the same bytes in text
// and JSON, for a /sign entry, an error, an mTLS request with no status
// written, odd characters, and more handler fields than entry keeps inline.
func TestLogRequestOutput(t *testing.T) {
	cases := logCases()
	cases = append(cases, logCase{"many fields", cases[0].req, func(r *http.Request) *entry {
		e := &entry{requestID: "many"}
		ctx := withEntry(r.Context(), e)
		for i := range 11 {
			LogAttrs(ctx, slog.Int("f"+strings.Repeat("x", i), i), slog.String("g", "v=1"))
		}
		e.setError(errors.New("last"))
		return e
	}, recorder{status: http.StatusForbidden, size: 12}, cases[0].start})
	for _, format := range []string{"text", "json"} {
		for _, c := range cases {
			t.Run(format+"/"+c.name, func(t *testing.T) {
				newLog := func(w io.Writer) *slog.Logger {
					if format == "json" {
						return slog.New(slog.NewJSONHandler(w, nil))
					}
					return slog.New(slog.NewTextHandler(w, nil))
				}
				for _, d := range []time.Duration{0, 1234567 * time.Nanosecond, 3 * time.Second} {
					var got, want bytes.Buffer
					r := c.req()
					rec := c.rec
					status := rec.status
					if status == 0 {
						status = http.StatusOK
					}
					level := slog.LevelInfo
					if status >= 500 {
						level = slog.LevelError
					}
					writeEntry(r.Context(), newLog(&got), level, c.entry(r), &rec, r, c.start, d, status)
					referenceEntry(r.Context(), newLog(&want), level, c.entry(r), &rec, r, c.start, d, status)
					if got.String() != want.String() {
						t.Fatalf("got  %s\nwant %s", got.String(), want.String())
					}
					if got.Len() == 0 {
						t.Fatal("nothing logged")
					}
				}
			})
		}
	}
	// logRequest itself: the level follows the status, and a logger that
	// does not log the level gets nothing.
	var buf bytes.Buffer
	c := cases[1]
	r := c.req()
	logRequest(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelError + 1})), c.entry(r), &c.rec, r, c.start)
	if buf.Len() != 0 {
		t.Fatalf("logged below the level: %s", buf.String())
	}
	logRequest(slog.New(slog.NewTextHandler(&buf, nil)), c.entry(r), &c.rec, r, c.start)
	if !strings.HasPrefix(buf.String(), "level=ERROR msg=request request-id=\"id with space\" ") {
		t.Fatalf("logRequest wrote %s", buf.String())
	}
}

// referenceEntry is the request log record as logRequest first built it
// (attributes added as they come), kept to hold writeEntry to its output.
func referenceEntry(ctx context.Context, log *slog.Logger, level slog.Level, e *entry, rec *recorder, r *http.Request, start time.Time, d time.Duration, status int) {
	rcd := slog.NewRecord(time.Time{}, level, "request", 0)
	rcd.AddAttrs(
		slog.String("request-id", e.requestID),
		slog.String("remote-address", r.RemoteAddr),
	)
	if r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
		rcd.AddAttrs(slog.String("name", r.TLS.PeerCertificates[0].Subject.CommonName))
	}
	rcd.AddAttrs(
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
	rcd.AddAttrs(e.attrs...)
	if e.err != nil {
		rcd.AddAttrs(slog.String("error", e.err.Error()))
	}
	e.mu.Unlock()
	_ = log.Handler().Handle(ctx, rcd)
}

func BenchmarkLogRequest(b *testing.B) {
	for _, format := range []string{"text", "json"} {
		b.Run(format, func(b *testing.B) {
			var h slog.Handler = slog.NewTextHandler(io.Discard, nil)
			if format == "json" {
				h = slog.NewJSONHandler(io.Discard, nil)
			}
			log := slog.New(h)
			c := logCases()[0]
			r := c.req()
			b.ReportAllocs()
			for b.Loop() {
				e := c.entry(r)
				rec := c.rec
				logRequest(log, e, &rec, r, c.start)
			}
		})
	}
}
