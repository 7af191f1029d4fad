package wfe

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stride-pki/stride/internal/acme"
)

// TestMethodsAndErrorEnvelope: a plain GET on every POST-as-GET resource,
// and a POST on the GET resources, is 405 with Allow and a problem
// document; an unknown path is a 404 problem document. Every one carries
// Replay-Nonce and Link rel="index" (RFC 8555 §6.3, §6.5, §7.1; security.md
// R-26, and the Vault/nginx-acme note that badNonce without a nonce breaks
// clients).
func TestMethodsAndErrorEnvelope(t *testing.T) {
	ts := newTestServer(t)
	base := ts.srv.URL + "/acme/acme/"
	postOnly := []string{"new-account", "account/x", "account/x/orders", "new-order", "order/x",
		"order/x/finalize", "authz/x", "challenge/x/y", "certificate/1", "revoke-cert", "key-change"}
	type tc struct {
		method, path string
		status       int
		allow        string
	}
	var tests []tc
	for _, p := range postOnly {
		tests = append(tests, tc{http.MethodGet, p, 405, "POST"}, tc{http.MethodPut, p, 405, "POST"})
	}
	for _, p := range []string{"directory", "new-nonce", acme.RenewalInfoPath + "/x"} {
		tests = append(tests, tc{http.MethodPost, p, 405, "GET, HEAD"}, tc{http.MethodDelete, p, 405, "GET, HEAD"})
	}
	tests = append(tests, tc{http.MethodGet, "nope", 404, ""}, tc{http.MethodPost, "order/x/y/z", 404, ""})
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, base+tt.path, strings.NewReader("{}"))
			resp, err := ts.srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tt.status || resp.Header.Get("Allow") != tt.allow {
				t.Fatalf("%d Allow %q, want %d %q", resp.StatusCode, resp.Header.Get("Allow"), tt.status, tt.allow)
			}
			if p := problemOf(t, resp); p.Type != acme.ProbMalformed || p.Status != tt.status {
				t.Fatalf("problem %s %d", p.Type, p.Status)
			}
			checkEnvelope(t, resp)
		})
	}
	// GET stays allowed where the RFCs allow it.
	for _, p := range []string{"directory", "new-nonce"} {
		resp, err := ts.srv.Client().Get(base + p)
		if err != nil || resp.StatusCode >= 400 {
			t.Fatalf("GET %s: %v %v", p, err, resp.StatusCode)
		}
		resp.Body.Close()
	}
}

func checkEnvelope(t *testing.T, resp *http.Response) {
	t.Helper()
	if resp.Header.Get("Replay-Nonce") == "" {
		t.Error("no Replay-Nonce")
	}
	if l := resp.Header.Get("Link"); !strings.Contains(l, `/acme/acme/directory>;rel="index"`) {
		t.Errorf("Link %q, want rel=index to the directory", l)
	}
}

// TestInternalErrorsAreNotSent: a storage error and a panic both become
// 500 serverInternal problem documents with the envelope headers; the
// error text and the panic value reach the log, not the client
// (security.md R-66).
func TestInternalErrorsAreNotSent(t *testing.T) {
	ts := newTestServer(t)
	const secret = "open /var/lib/stride/db: permission denied"
	for name, fn := range map[string]func(h *handler) http.HandlerFunc{
		"error": func(h *handler) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) { h.fail(w, r, errors.New(secret)) }
		},
		"wrapped error": func(h *handler) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) { h.fail(w, r, acme.AsProblem(errors.New(secret))) }
		},
		"panic": func(*handler) http.HandlerFunc {
			return func(http.ResponseWriter, *http.Request) { panic(secret) }
		},
	} {
		t.Run(name, func(t *testing.T) {
			var logs bytes.Buffer
			h := &handler{svc: ts.svc, log: slog.New(slog.NewTextHandler(&logs, nil)), maxBody: DefaultMaxBodyBytes}
			rec := httptest.NewRecorder()
			h.withNonce(fn(h)).ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "https://ca.internal/acme/acme/new-order", nil))
			resp := rec.Result()
			body, _ := io.ReadAll(resp.Body)
			resp.Body = io.NopCloser(bytes.NewReader(body))
			if resp.StatusCode != 500 || strings.Contains(string(body), "permission") {
				t.Fatalf("%d %s", resp.StatusCode, body)
			}
			if p := problemOf(t, resp); p.Type != acme.ProbServerInternal {
				t.Fatalf("problem %s", p.Type)
			}
			checkEnvelope(t, resp)
			if !strings.Contains(logs.String(), "permission denied") {
				t.Fatalf("the cause was not logged: %s", logs.String())
			}
		})
	}
}
