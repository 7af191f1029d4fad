package certcmd

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestRemoteServer(t *testing.T) {
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	defer srv.Close()
	cert := srv.Certificate()
	roots := writePEM(t, t.TempDir(), "server.crt", cert)
	sum := sha256.Sum256(cert.Raw)
	fp := hex.EncodeToString(sum[:]) + "\n"

	tests := []struct {
		name string
		args []string
		code int
		out  string
	}{
		{"inspect insecure", []string{"inspect", srv.URL, "--insecure", "--short"}, 0, "Subject:"},
		{"inspect with roots", []string{"inspect", srv.URL, "--roots", roots, "--format", "json"}, 0, `"fingerprint_sha256": "` + strings.TrimSpace(fp) + `"`},
		{"servername", []string{"inspect", srv.URL, "--roots", roots, "--servername", "example.com", "--short"}, 0, "Subject:"},
		{"untrusted", []string{"inspect", srv.URL, "--roots", "testdata/root.crt"}, 1, ""},
		{"fingerprint", []string{"fingerprint", srv.URL, "--roots", roots}, 0, fp},
		{"verify", []string{"verify", srv.URL, "--insecure", "--roots", roots, "--host", "127.0.0.1"}, 0, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, _, err := run(t, tc.args...)
			expect(t, err, tc.code, "")
			if !strings.Contains(out, tc.out) {
				t.Errorf("output does not contain %q:\n%s", tc.out, out)
			}
		})
	}
}
