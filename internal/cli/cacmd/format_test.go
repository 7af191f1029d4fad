package cacmd_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// infoCA answers /health, /roots, /federation and /root/<sha> with its own
// TLS certificate as the only root.
func infoCA(t *testing.T) (url, root, fp string) {
	t.Helper()
	var srv *httptest.Server
	srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}))
		switch {
		case r.URL.Path == "/health":
			json.NewEncoder(w).Encode(map[string]string{"status": "ok"})
		case r.URL.Path == "/roots" || r.URL.Path == "/federation":
			w.WriteHeader(201)
			json.NewEncoder(w).Encode(map[string]any{"crts": []string{p}})
		case strings.HasPrefix(r.URL.Path, "/root/"):
			json.NewEncoder(w).Encode(map[string]any{"ca": p})
		default:
			w.WriteHeader(404)
		}
	}))
	t.Cleanup(srv.Close)
	root = filepath.Join(t.TempDir(), "root.crt")
	os.WriteFile(root, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600)
	sum := sha256.Sum256(srv.Certificate().Raw)
	return srv.URL, root, hex.EncodeToString(sum[:])
}

type certOut struct {
	Subject, Fingerprint, PEM string
}

// TestFormatJSON: --format json prints one JSON document; text stays as it was.
func TestFormatJSON(t *testing.T) {
	url, root, fp := infoCA(t)
	conn := []string{"--ca-url", url, "--root", root}
	t.Run("health", func(t *testing.T) {
		out, errOut, code := run(t, append([]string{"ca", "health", "--format", "json"}, conn...)...)
		var v map[string]string
		if code != 0 || json.Unmarshal([]byte(out), &v) != nil || v["status"] != "ok" {
			t.Fatalf("exit %d %q %s", code, out, errOut)
		}
		if out, _, _ := run(t, append([]string{"ca", "health"}, conn...)...); out != "ok\n" {
			t.Fatalf("text output changed: %q", out)
		}
	})
	for _, name := range []string{"roots", "federation"} {
		t.Run(name, func(t *testing.T) {
			out, errOut, code := run(t, append([]string{"ca", name, "--format", "json"}, conn...)...)
			var v []certOut
			if code != 0 || json.Unmarshal([]byte(out), &v) != nil || len(v) != 1 || v[0].Fingerprint != fp ||
				!strings.HasPrefix(v[0].PEM, "-----BEGIN CERTIFICATE-----") || v[0].Subject == "" {
				t.Fatalf("exit %d %q %s", code, out, errOut)
			}
			text, _, _ := run(t, append([]string{"ca", name}, conn...)...)
			if text != v[0].PEM {
				t.Fatalf("text output %q is not the PEM %q", text, v[0].PEM)
			}
		})
	}
	t.Run("root", func(t *testing.T) {
		out, errOut, code := run(t, append([]string{"ca", "root", "--fingerprint", fp, "--format", "json"}, conn...)...)
		var v certOut
		if code != 0 || json.Unmarshal([]byte(out), &v) != nil || v.Fingerprint != fp {
			t.Fatalf("exit %d %q %s", code, out, errOut)
		}
	})
	t.Run("usage errors", func(t *testing.T) {
		for _, args := range [][]string{
			{"ca", "roots", "--format", "yaml"},
			{"ca", "roots", "out.pem", "--format", "json"},
			{"ca", "health", "--format", "xml"},
			{"ca", "token", "x", "--format", "json", "--output-file", "tok"},
		} {
			if _, errOut, code := run(t, append(args, conn...)...); code != 2 || !strings.Contains(errOut, "--format") {
				t.Errorf("%v: exit %d, stderr %q; want 2 naming --format", args, code, errOut)
			}
		}
	})
}

func TestTokenFormatJSON(t *testing.T) {
	srv, root := fakeCA(t, "admin")
	pw := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(pw, []byte("pw\n"), 0o600)
	out, errOut, code := run(t, "ca", "token", "foo", "--ca-url", srv.URL, "--root", root, "--password-file", pw, "--format", "json")
	var v map[string]string
	if code != 0 || json.Unmarshal([]byte(out), &v) != nil || strings.Count(v["token"], ".") != 2 || len(v) != 1 {
		t.Fatalf("exit %d %q %s", code, out, errOut)
	}
}
