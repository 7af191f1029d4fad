package api

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"

	"github.com/stride-pki/stride/internal/config"
)

// TestRoutes checks every route's status, content type and JSON shape, at
// both mounts.
func TestRoutes(t *testing.T) {
	p := pki(t)
	sum := sha256.Sum256(p.root.Raw)
	sha := hex.EncodeToString(sum[:])
	jwk, _ := config.NewProvisioner(map[string]any{"type": "JWK", "name": "admin", "encryptedKey": "eyJ.x.y.z.w"})
	signBody := mustJSON(map[string]any{"csr": p.csrPEM, "ott": "tok"})
	revokeBody := `{"serial":"0x1f","ott":"tok","passive":true}`
	cases := []struct {
		name, method, path, body string
		bearer                   bool
		mtls                     bool
		status                   int
		ctype                    string
		keys                     []string // JSON members that must be present
	}{
		{"health", "GET", "/health", "", false, false, 200, "application/json", []string{"status"}},
		{"version", "GET", "/version", "", false, false, 200, "application/json", []string{"version"}},
		{"root", "GET", "/root/" + sha, "", false, false, 200, "application/json", []string{"ca"}},
		{"roots", "GET", "/roots", "", false, false, 201, "application/json", []string{"crts"}},
		{"roots.pem", "GET", "/roots.pem", "", false, false, 200, "application/x-pem-file", nil},
		{"intermediates", "GET", "/intermediates", "", false, false, 201, "application/json", []string{"crts"}},
		{"intermediates.pem", "GET", "/intermediates.pem", "", false, false, 200, "application/x-pem-file", nil},
		{"federation", "GET", "/federation", "", false, false, 201, "application/json", []string{"crts"}},
		{"provisioners", "GET", "/provisioners?limit=5&cursor=abc", "", false, false, 200, "application/json", []string{"provisioners", "nextCursor"}},
		{"encrypted-key", "GET", "/provisioners/kid-1/encrypted-key", "", false, false, 200, "application/json", []string{"key"}},
		{"sign", "POST", "/sign", signBody, false, false, 201, "application/json", []string{"crt", "ca", "certChain", "tlsOptions"}},
		{"renew mtls", "POST", "/renew", "", false, true, 201, "application/json", []string{"crt", "ca", "certChain", "tlsOptions"}},
		{"renew bearer", "POST", "/renew", "", true, false, 201, "application/json", []string{"crt", "ca", "certChain", "tlsOptions"}},
		{"re-sign", "POST", "/re-sign", "", false, true, 201, "application/json", []string{"crt", "certChain"}},
		{"rekey", "POST", "/rekey", mustJSON(map[string]string{"csr": p.csrPEM}), false, true, 201, "application/json", []string{"crt", "certChain"}},
		{"revoke", "POST", "/revoke", revokeBody, false, false, 200, "application/json", []string{"status"}},
		{"unknown", "GET", "/nope", "", false, false, 404, "text/plain; charset=utf-8", nil},
		{"wrong method", "GET", "/sign", "", false, false, 405, "text/plain; charset=utf-8", nil},
	}
	for _, prefix := range []string{"", "/1.0"} {
		for _, tc := range cases {
			t.Run(prefix+" "+tc.name, func(t *testing.T) {
				f := &fakeAuthority{provs: []config.Provisioner{jwk}, next: "", keys: map[string]string{"kid-1": "eyJ.x.y.z.w"}}
				h, _ := server(t, f, Options{})
				var hdr []string
				if tc.bearer {
					hdr = []string{"Authorization", "Bearer tok"}
				}
				var peer = p.leaf
				if !tc.mtls {
					peer = nil
				}
				rec := do(h, tc.method, prefix+tc.path, tc.body, peer, hdr...)
				if rec.Code != tc.status {
					t.Fatalf("status %d, want %d; body %s", rec.Code, tc.status, rec.Body)
				}
				if got := rec.Header().Get("Content-Type"); got != tc.ctype {
					t.Errorf("Content-Type %q, want %q", got, tc.ctype)
				}
				if rec.Header().Get(RequestIDHeader) == "" {
					t.Error("no X-Request-Id")
				}
				if tc.ctype == "application/json" && !strings.HasSuffix(rec.Body.String(), "}\n") {
					t.Errorf("JSON body does not end in a newline: %q", rec.Body.String())
				}
				if len(tc.keys) > 0 {
					m := decode(t, rec)
					for _, k := range tc.keys {
						if _, ok := m[k]; !ok {
							t.Errorf("member %q missing from %s", k, rec.Body)
						}
					}
				}
			})
		}
	}
}

// TestHead checks HEAD answers every GET route with its status and no body.
func TestHead(t *testing.T) {
	h, _ := server(t, &fakeAuthority{}, Options{})
	for _, path := range []string{"/health", "/version", "/roots", "/roots.pem", "/intermediates", "/federation", "/provisioners", "/1.0/roots", "/1.0/health"} {
		get := do(h, "GET", path, "", nil)
		head := do(h, "HEAD", path, "", nil)
		if head.Code != get.Code {
			t.Errorf("HEAD %s: %d, GET %d", path, head.Code, get.Code)
		}
		if head.Header().Get("Content-Type") != get.Header().Get("Content-Type") {
			t.Errorf("HEAD %s: content type differs", path)
		}
	}
}

func TestResponseBodies(t *testing.T) {
	p := pki(t)
	f := &fakeAuthority{}
	h, _ := server(t, f, Options{})
	check := func(path string, status int, want string) {
		t.Helper()
		rec := do(h, "GET", path, "", nil)
		if rec.Code != status || rec.Body.String() != want {
			t.Errorf("GET %s = %d %q, want %d %q", path, rec.Code, rec.Body, status, want)
		}
	}
	check("/health", 200, `{"status":"ok"}`+"\n")
	check("/version", 200, `{"version":"0.30.2"}`+"\n")
	check("/roots", 201, mustJSON(map[string]any{"crts": []string{certPEM(p.root)}})+"\n")
	check("/federation", 201, mustJSON(map[string]any{"crts": []string{certPEM(p.root), certPEM(p.federated)}})+"\n")
	check("/intermediates", 201, mustJSON(map[string]any{"crts": []string{certPEM(p.intermediate)}})+"\n")
	check("/roots.pem", 200, certPEM(p.root))
	check("/intermediates.pem", 200, certPEM(p.intermediate))

	// The fingerprint is matched with dashes removed and in any case, over
	// roots and federated roots.
	sum := sha256.Sum256(p.federated.Raw)
	sha := strings.ToUpper(hex.EncodeToString(sum[:]))
	check("/root/"+sha[:8]+"-"+sha[8:], 200, mustJSON(map[string]string{"ca": certPEM(p.federated)})+"\n")
	check("/root/00ff", 404, `{"status":404,"message":"The requested resource could not be found: root with fingerprint 00ff was not found."}`+"\n")

	f.noInts = true
	check("/intermediates", 501, `{"status":501,"message":"The requested method is not implemented by the certificate authority: no intermediate certificates are configured."}`+"\n")
	check("/intermediates.pem", 501, `{"status":501,"message":"The requested method is not implemented by the certificate authority: no intermediate certificates are configured."}`+"\n")
}

func TestSignResponse(t *testing.T) {
	p := pki(t)
	f := &fakeAuthority{tlsOpts: &config.TLS{CipherSuites: []string{"TLS_AES_128_GCM_SHA256"}, MinVersion: 1.3, MaxVersion: 1.3}}
	h, _ := server(t, f, Options{})
	body := mustJSON(map[string]any{"csr": p.csrPEM, "ott": "tok", "notBefore": "1m", "notAfter": "24h", "templateData": map[string]string{"a": "b"}})
	rec := do(h, "POST", "/1.0/sign", body, nil)
	want := map[string]any{
		"crt": certPEM(p.leaf), "ca": certPEM(p.intermediate),
		"certChain":  []string{certPEM(p.leaf), certPEM(p.intermediate)},
		"tlsOptions": map[string]any{"cipherSuites": []string{"TLS_AES_128_GCM_SHA256"}, "minVersion": 1.3, "maxVersion": 1.3, "renegotiation": false},
	}
	// Compared as canonical JSON (sorted members); the order step writes is
	// checked by the prefix.
	if rec.Code != 201 || mustJSON(decode(t, rec)) != mustJSON(want) || !strings.HasPrefix(rec.Body.String(), `{"crt":`) {
		t.Fatalf("got %d %s\nwant %s", rec.Code, rec.Body, mustJSON(want))
	}
	got := f.gotSign
	if got.OTT != "tok" || got.NotBefore != "1m" || got.NotAfter != "24h" || string(got.TemplateData) != `{"a":"b"}` || got.CSR == nil {
		t.Errorf("authority got %+v", got)
	}

	// Without options from the core, step's defaults are echoed.
	f.tlsOpts = nil
	m := decode(t, do(h, "POST", "/sign", body, nil))
	if mustJSON(m["tlsOptions"]) != canon(t, mustJSON(config.DefaultTLS())) {
		t.Errorf("tlsOptions %v", m["tlsOptions"])
	}
}

func TestAdminProbe(t *testing.T) {
	h, _ := server(t, &fakeAuthority{}, Options{})
	rec := do(h, "GET", "/admin/admins", "", nil)
	if rec.Code != http.StatusNotFound {
		t.Fatalf("status %d", rec.Code)
	}
	if m := decode(t, rec); m["type"] != "notFound" || m["message"] == "" {
		t.Errorf("body %s", rec.Body)
	}
	// Remote management, when built, takes over the whole /admin/ tree.
	admin := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusUnauthorized) })
	h, _ = server(t, &fakeAuthority{}, Options{Admin: admin})
	if rec := do(h, "GET", "/admin/admins", "", nil); rec.Code != http.StatusUnauthorized {
		t.Errorf("with Admin mounted: %d", rec.Code)
	}
}

func TestMounts(t *testing.T) {
	acme := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) })
	h, _ := server(t, &fakeAuthority{}, Options{Mounts: map[string]http.Handler{"/acme/": acme}})
	rec := do(h, "GET", "/acme/p/directory", "", nil)
	if rec.Code != http.StatusTeapot || rec.Header().Get(RequestIDHeader) == "" {
		t.Errorf("mount: %d, request id %q", rec.Code, rec.Header().Get(RequestIDHeader))
	}
}
