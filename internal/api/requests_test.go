package api

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stride-pki/stride/internal/caerr"
	"github.com/stride-pki/stride/internal/config"
)

// badRequest is step's 400 body for an explicit message.
func badRequest(msg string) string {
	return mustJSON(errorBody{Status: 400, Message: "The request could not be completed: " + msg + "."}) + "\n"
}

func TestSignInputErrors(t *testing.T) {
	p := pki(t)
	big := `{"csr":"` + strings.Repeat("A", DefaultMaxBodyBytes) + `"}`
	cases := []struct {
		name, body string
		status     int
		want       string // exact body, or "" to check only the status
	}{
		{"too large", big, 413, mustJSON(errorBody{Status: 413, Message: "The request body is larger than the limit of 1048576 bytes."}) + "\n"},
		{"empty", "", 400, badRequest("the request body is empty; a JSON object was expected")},
		{"syntax", `{"csr":`, 400, badRequest("the request body is not valid JSON: unexpected end of JSON input at byte 7")},
		{"syntax offset", `{"csr" "x"}`, 400, badRequest("the request body is not valid JSON: invalid character '\"' after object key at byte 8")},
		{"wrong type", `{"csr":5}`, 400, badRequest(`the request body is not valid JSON: field "csr" must be a string, not a number`)},
		{"not an object", `[1]`, 400, badRequest(`the request body is not valid JSON: expected a api.signBody, not a array`)},
		{"missing csr", `{"ott":"t"}`, 400, badRequest("missing csr")},
		{"csr not PEM", `{"csr":"hello","ott":"t"}`, 400, badRequest("invalid csr: not a PEM certificate request")},
		{"csr bad PEM", `{"csr":"-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n","ott":"t"}`, 400, ""},
		{"csr is a certificate", mustJSON(map[string]string{"csr": certPEM(p.leaf), "ott": "t"}), 400, badRequest("invalid csr: no certificate request found")},
		{"missing ott", mustJSON(map[string]string{"csr": p.csrPEM}), 400, badRequest("missing ott")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeAuthority{}
			h, _ := server(t, f, Options{})
			rec := do(h, "POST", "/sign", tc.body, nil)
			if rec.Code != tc.status || (tc.want != "" && rec.Body.String() != tc.want) {
				t.Fatalf("got %d %q\nwant %d %q", rec.Code, rec.Body, tc.status, tc.want)
			}
			if len(f.calls) != 0 {
				t.Errorf("authority called: %v", f.calls)
			}
		})
	}
}

func TestRenew(t *testing.T) {
	p := pki(t)
	t.Run("missing client certificate", func(t *testing.T) {
		f := &fakeAuthority{}
		h, _ := server(t, f, Options{})
		for _, hdr := range [][]string{nil, {"Authorization", "Basic abc"}, {"Authorization", "Bearer "}} {
			rec := do(h, "POST", "/renew", "", nil, hdr...)
			if rec.Code != 400 || rec.Body.String() != badRequest("missing client certificate") {
				t.Errorf("%v: %d %s", hdr, rec.Code, rec.Body)
			}
		}
	})
	t.Run("bearer", func(t *testing.T) {
		f := &fakeAuthority{}
		h, _ := server(t, f, Options{})
		rec := do(h, "POST", "/1.0/renew", "", nil, "Authorization", "bearer x5c.token.sig")
		if rec.Code != 201 || f.gotToken != "x5c.token.sig" || strings.Join(f.calls, ",") != "RenewWithToken" {
			t.Errorf("%d token %q calls %v", rec.Code, f.gotToken, f.calls)
		}
	})
	t.Run("mtls wins over bearer", func(t *testing.T) {
		f := &fakeAuthority{}
		h, _ := server(t, f, Options{})
		rec := do(h, "POST", "/renew", "", p.leaf, "Authorization", "Bearer tok")
		if rec.Code != 201 || f.gotPeer != p.leaf || strings.Join(f.calls, ",") != "Renew" {
			t.Errorf("%d calls %v", rec.Code, f.calls)
		}
	})
	t.Run("revoked", func(t *testing.T) {
		f := &fakeAuthority{err: caerr.Unauthorizedf("certificate has been revoked")}
		h, _ := server(t, f, Options{})
		rec := do(h, "POST", "/renew", "", p.leaf)
		if rec.Code != 401 {
			t.Errorf("%d", rec.Code)
		}
	})
}

func TestRekey(t *testing.T) {
	p := pki(t)
	f := &fakeAuthority{}
	h, _ := server(t, f, Options{})
	body := mustJSON(map[string]string{"csr": p.csrPEM})
	if rec := do(h, "POST", "/rekey", body, nil); rec.Code != 400 || rec.Body.String() != badRequest("missing client certificate") {
		t.Errorf("no mTLS: %d %s", rec.Code, rec.Body)
	}
	if rec := do(h, "POST", "/rekey", `{"csr":""}`, p.leaf); rec.Code != 400 || rec.Body.String() != badRequest("missing csr") {
		t.Errorf("no csr: %d %s", rec.Code, rec.Body)
	}
	if rec := do(h, "POST", "/rekey", body, p.leaf); rec.Code != 201 || f.gotCSR == nil || f.gotPeer != p.leaf {
		t.Errorf("rekey: %d %s", rec.Code, rec.Body)
	}
}

func TestRevoke(t *testing.T) {
	p := pki(t) // leaf serial is 31 = 0x1f
	cases := []struct {
		name, body string
		mtls       bool
		status     int
		serial     string // what the authority must receive
		msg        string
	}{
		{"decimal", `{"serial":"31","ott":"t","passive":true}`, false, 200, "31", ""},
		{"leading zeros", `{"serial":"0031","ott":"t","passive":true}`, false, 200, "31", ""},
		{"hex", `{"serial":"0x1F","ott":"t","passive":true}`, false, 200, "31", ""},
		{"big hex", `{"serial":"0x0123456789abcdef0123456789abcdef","ott":"t","passive":true}`, false, 200, "1512366075204170929049582354406559215", ""},
		{"neither", `{"serial":"12abc","ott":"t","passive":true}`, false, 400, "", "The request could not be completed: serial number '12abc' is neither decimal nor 0x-prefixed hexadecimal."},
		{"signed", `{"serial":"-5","ott":"t","passive":true}`, false, 400, "", ""},
		{"bare 0x", `{"serial":"0x","ott":"t","passive":true}`, false, 400, "", ""},
		{"missing", `{"ott":"t","passive":true}`, false, 400, "", "The request could not be completed: missing serial."},
		{"reason out of bounds", `{"serial":"31","ott":"t","passive":true,"reasonCode":11}`, false, 400, "", "The request could not be completed: reasonCode 11 is out of bounds (0 to 10)."},
		{"non-passive", `{"serial":"31","ott":"t","passive":false}`, false, 501, "", "The requested method is not implemented by the certificate authority: non-passive revocation not implemented."},
		{"passive omitted", `{"serial":"31","ott":"t"}`, false, 501, "", ""},
		{"no ott no cert", `{"serial":"31","passive":true}`, false, 401, "", "The request lacked necessary authorization to be completed: missing ott or client certificate."},
		{"mtls self", `{"serial":"0x1f","passive":true}`, true, 200, "31", ""},
		{"mtls other", `{"serial":"32","passive":true}`, true, 403, "", "The request was forbidden by the certificate authority: the client certificate's serial number is not the one to revoke."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeAuthority{}
			h, _ := server(t, f, Options{})
			peer := p.leaf
			if !tc.mtls {
				peer = nil
			}
			rec := do(h, "POST", "/revoke", tc.body, peer)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.status, rec.Body)
			}
			if tc.msg != "" && rec.Body.String() != mustJSON(errorBody{Status: tc.status, Message: tc.msg})+"\n" {
				t.Errorf("body %s", rec.Body)
			}
			if tc.status == 200 {
				if rec.Body.String() != `{"status":"ok"}`+"\n" || f.gotRevoke.Serial != tc.serial || !f.gotRevoke.Passive {
					t.Errorf("body %s, authority got %+v", rec.Body, f.gotRevoke)
				}
				if tc.mtls != (f.gotRevoke.MTLSCert != nil) {
					t.Errorf("MTLSCert %v", f.gotRevoke.MTLSCert)
				}
			} else if len(f.calls) != 0 {
				t.Errorf("authority called on a bad request: %v", f.calls)
			}
		})
	}
}

func TestProvisioners(t *testing.T) {
	jwk, _ := config.NewProvisioner(map[string]any{"type": "JWK", "name": "a", "key": map[string]string{"kid": "k"}, "encryptedKey": "e.y.j"})
	scep, _ := config.NewProvisioner(map[string]any{"type": "scep", "name": "s", "challenge": "secret",
		"decrypterCertificate": "Y2VydA==", "decrypterKeyPEM": "a2V5", "decrypterKey": "", "decrypterKeyPassword": "cHc=", "includeRoot": true})
	f := &fakeAuthority{provs: []config.Provisioner{jwk, scep}, next: "c2"}
	h, _ := server(t, f, Options{})
	rec := do(h, "GET", "/provisioners?cursor=c1&limit=2", "", nil)
	var got struct {
		Provisioners []map[string]any `json:"provisioners"`
		NextCursor   string           `json:"nextCursor"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || rec.Code != 200 {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	if f.gotCursor != "c1" || f.gotLimit != 2 || got.NextCursor != "c2" || len(got.Provisioners) != 2 {
		t.Fatalf("cursor %q limit %d, answer %+v", f.gotCursor, f.gotLimit, got)
	}
	if got.Provisioners[0]["encryptedKey"] != "e.y.j" {
		t.Errorf("JWK provisioner altered: %v", got.Provisioners[0])
	}
	s := got.Provisioners[1]
	for _, k := range []string{"challenge", "decrypterCertificate", "decrypterKeyPEM", "decrypterKeyPassword"} {
		if s[k] != Redacted {
			t.Errorf("%s = %v, want redacted", k, s[k])
		}
	}
	if s["decrypterKey"] != "" || s["includeRoot"] != true {
		t.Errorf("empty or non-secret members altered: %v", s)
	}
	if strings.Contains(string(scep.Raw()), Redacted) {
		t.Error("the core's provisioner was modified in place")
	}

	for q, want := range map[string]int{"": 20, "limit=0": 20, "limit=-3": 20, "limit=100": 100, "limit=1000": 100, "limit=7": 7} {
		do(h, "GET", "/provisioners?"+q, "", nil)
		if f.gotLimit != want {
			t.Errorf("%q: limit %d, want %d", q, f.gotLimit, want)
		}
	}
	rec = do(h, "GET", "/provisioners?limit=ten", "", nil)
	if rec.Code != 400 || rec.Body.String() != badRequest("limit 'ten' is not an integer") {
		t.Errorf("%d %s", rec.Code, rec.Body)
	}

	f.provs, f.next = nil, ""
	if rec := do(h, "GET", "/provisioners", "", nil); rec.Body.String() != `{"provisioners":[],"nextCursor":""}`+"\n" {
		t.Errorf("empty list: %s", rec.Body)
	}
}

func TestEncryptedKey(t *testing.T) {
	f := &fakeAuthority{keys: map[string]string{"kid-1": "a.b.c.d.e"}}
	h, _ := server(t, f, Options{})
	if rec := do(h, "GET", "/provisioners/kid-1/encrypted-key", "", nil); rec.Body.String() != `{"key":"a.b.c.d.e"}`+"\n" {
		t.Errorf("%s", rec.Body)
	}
	f.err = caerr.NotFoundf("no provisioner with key id 'zz' has an encrypted key")
	if rec := do(h, "GET", "/provisioners/zz/encrypted-key", "", nil); rec.Code != 404 {
		t.Errorf("%d", rec.Code)
	}
}

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestRequestID(t *testing.T) {
	h, _ := server(t, &fakeAuthority{}, Options{})
	hc, _ := server(t, &fakeAuthority{}, Options{TraceHeader: "X-Trace"})
	cases := []struct {
		name string
		h    http.Handler
		hdr  []string
		want string // "" means a fresh UUIDv4
	}{
		{"x-request-id", h, []string{"X-Request-Id", "abc-123"}, "abc-123"},
		{"legacy", h, []string{"X-Smallstep-Id", "legacy-1"}, "legacy-1"},
		{"both", h, []string{"X-Request-Id", "a", "X-Smallstep-Id", "b"}, "a"},
		{"configured trace header", hc, []string{"X-Trace", "tr-9"}, "tr-9"},
		{"default trace header ignored when configured", hc, []string{"X-Smallstep-Id", "b"}, ""},
		{"none", h, nil, ""},
		{"control bytes replaced", h, []string{"X-Request-Id", "a\tb"}, ""},
		{"too long replaced", h, []string{"X-Request-Id", strings.Repeat("x", 129)}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := do(tc.h, "GET", "/health", "", nil, tc.hdr...).Header().Get(RequestIDHeader)
			if tc.want != "" && got != tc.want || tc.want == "" && !uuidV4.MatchString(got) {
				t.Errorf("X-Request-Id %q, want %q", got, tc.want)
			}
		})
	}
	if newUUID() == newUUID() {
		t.Error("UUIDs repeat")
	}
}

func TestPanicRecovered(t *testing.T) {
	p := pki(t)
	f := &fakeAuthority{panicIn: "Sign"}
	h, logs := server(t, f, Options{})
	rec := do(h, "POST", "/sign", mustJSON(map[string]string{"csr": p.csrPEM, "ott": "t"}), nil, "X-Request-Id", "panic-1")
	if rec.Code != 500 || rec.Header().Get(RequestIDHeader) != "panic-1" {
		t.Fatalf("%d %v", rec.Code, rec.Header())
	}
	if m := decode(t, rec); m["status"] != float64(500) || strings.Contains(rec.Body.String(), "boom") {
		t.Errorf("body %s", rec.Body)
	}
	if !strings.Contains(logs.String(), "boom in Sign") || !strings.Contains(logs.String(), `"request-id":"panic-1"`) {
		t.Errorf("log %s", logs)
	}
	if rec := do(h, "GET", "/health", "", nil); rec.Code != 200 {
		t.Errorf("after a panic: %d", rec.Code)
	}
}

// TestRequestLog checks the entry has step's field names plus the fields
// the handler added.
func TestRequestLog(t *testing.T) {
	p := pki(t)
	h, logs := server(t, &fakeAuthority{}, Options{})
	do(h, "POST", "/1.0/renew", "", p.leaf, "X-Request-Id", "log-1", "User-Agent", "step-http-client/1.0", "Referer", "r")
	var e map[string]any
	if err := json.Unmarshal([]byte(strings.TrimSpace(logs.String())), &e); err != nil {
		t.Fatalf("%v: %s", err, logs)
	}
	want := map[string]any{
		"request-id": "log-1", "name": "leaf.example", "method": "POST", "path": "/1.0/renew", "protocol": "HTTP/1.1",
		"status": float64(201), "referer": "r", "user-agent": "step-http-client/1.0", "serial": "31", "provisioner": "jwk-prov",
	}
	for k, v := range want {
		if e[k] != v {
			t.Errorf("%s = %v, want %v", k, e[k], v)
		}
	}
	for _, k := range []string{"remote-address", "time", "duration", "duration-ns", "size", "valid-to"} {
		if _, ok := e[k]; !ok {
			t.Errorf("no %s in %v", k, e)
		}
	}
	if _, err := time.Parse(time.RFC3339Nano, e["time"].(string)); err != nil {
		t.Errorf("time %v", e["time"])
	}
}

func TestMetrics(t *testing.T) {
	p := pki(t)
	m := NewMetrics(time.Now())
	f := &fakeAuthority{}
	h, _ := server(t, f, Options{Metrics: m})
	do(h, "POST", "/sign", mustJSON(map[string]string{"csr": p.csrPEM, "ott": "t"}), nil)
	do(h, "POST", "/renew", "", p.leaf)
	do(h, "POST", "/rekey", mustJSON(map[string]string{"csr": p.csrPEM}), p.leaf)
	f.err = caerr.Unauthorizedf("no")
	do(h, "POST", "/sign", mustJSON(map[string]string{"csr": p.csrPEM, "ott": "t"}), nil)
	do(h, "GET", "/does-not-exist", "", nil)
	m.ReloadFailed()

	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	for _, line := range []string{
		`step_ca_x509_signed_total{provisioner="jwk-prov",success="true"} 1`,
		`step_ca_x509_signed_total{provisioner="",success="false"} 1`,
		`step_ca_x509_renewed_total{provisioner="jwk-prov",success="true"} 1`,
		`step_ca_x509_rekeyed_total{provisioner="jwk-prov",success="true"} 1`,
		`stride_http_request_duration_seconds_count{route="POST /sign",status="201"} 1`,
		`stride_http_request_duration_seconds_count{route="POST /sign",status="401"} 1`,
		`stride_http_request_duration_seconds_count{route="unmatched",status="404"} 1`,
		`stride_config_reload_failures_total 1`,
		`step_ca_uptime_seconds `,
	} {
		if !strings.Contains(string(body), line) {
			t.Errorf("metrics lack %q", line)
		}
	}
	var nilM *Metrics // the zero value records nothing and does not panic
	nilM.X509Signed("p", true)
	nilM.ReloadFailed()
	nilM.observeRequest("r", 200, time.Second)
}
