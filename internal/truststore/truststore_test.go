package truststore

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func testRoot(t *testing.T, cn string) *x509.Certificate {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(0xabc123), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return c
}

func put(t *testing.T, root, path, content string) {
	t.Helper()
	p := filepath.Join(root, path)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o755); err != nil {
		t.Fatal(err)
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"debian", map[string]string{"/etc/os-release": "ID=debian\n"}, "debian"},
		{"ubuntu", map[string]string{"/etc/os-release": "NAME=\"Ubuntu\"\nID=ubuntu\nID_LIKE=debian\n"}, "debian"},
		{"mint via ID_LIKE", map[string]string{"/etc/os-release": "ID=linuxmint\nID_LIKE=\"ubuntu debian\"\n"}, "debian"},
		{"fedora", map[string]string{"/etc/os-release": "ID=fedora\n"}, "fedora"},
		{"rocky via ID_LIKE", map[string]string{"/etc/os-release": "ID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\n"}, "fedora"},
		{"alpine", map[string]string{"/etc/os-release": "ID=alpine\n"}, "alpine"},
		{"unknown id, debian tool", map[string]string{"/etc/os-release": "ID=custom\n", "/usr/sbin/update-ca-certificates": ""}, "debian"},
		{"no os-release, fedora tool", map[string]string{"/usr/bin/update-ca-trust": ""}, "fedora"},
		{"nothing", map[string]string{}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			for p, c := range tc.files {
				put(t, root, p, c)
			}
			st, err := System{Root: root}.Detect()
			if tc.want == "" {
				if err != ErrUnsupported {
					t.Fatalf("got %v, %v; want ErrUnsupported", st, err)
				}
				return
			}
			if err != nil || st.Family != tc.want {
				t.Fatalf("got %q, %v; want %q", st.Family, err, tc.want)
			}
		})
	}
}

func TestFileName(t *testing.T) {
	c := testRoot(t, "Acme Corp. Root CA #1")
	if got, want := FileName(c, ""), "stride-acme-corp-root-ca-1-abc123"; got != want {
		t.Errorf("FileName = %q, want %q", got, want)
	}
	if got, want := FileName(c, "My CA"), "stride-my-ca-abc123"; got != want {
		t.Errorf("FileName with prefix = %q, want %q", got, want)
	}
	if got, want := FileName(testRoot(t, "***"), ""), "stride-root-abc123"; got != want {
		t.Errorf("FileName of unnamed = %q, want %q", got, want)
	}
}

func TestInstallUninstall(t *testing.T) {
	for _, tc := range []struct {
		osRelease, tool, file string
		refresh, purge        []string
	}{
		{"ID=debian\n", "/usr/sbin/update-ca-certificates", "/usr/local/share/ca-certificates/stride-test-root-abc123.crt",
			[]string{"/usr/sbin/update-ca-certificates"}, []string{"/usr/sbin/update-ca-certificates", "--fresh"}},
		{"ID=fedora\n", "/usr/bin/update-ca-trust", "/etc/pki/ca-trust/source/anchors/stride-test-root-abc123.pem",
			[]string{"/usr/bin/update-ca-trust", "extract"}, []string{"/usr/bin/update-ca-trust", "extract"}},
		{"ID=alpine\n", "/usr/sbin/update-ca-certificates", "/usr/local/share/ca-certificates/stride-test-root-abc123.crt",
			[]string{"/usr/sbin/update-ca-certificates"}, []string{"/usr/sbin/update-ca-certificates"}},
	} {
		t.Run(strings.TrimSpace(tc.osRelease), func(t *testing.T) {
			root := t.TempDir()
			put(t, root, "/etc/os-release", tc.osRelease)
			var calls [][]string
			sys := System{Root: root, Run: func(_ context.Context, r string, argv []string) error {
				if r != root {
					t.Errorf("runner root %q, want %q", r, root)
				}
				calls = append(calls, argv)
				return nil
			}}
			st, err := sys.Detect()
			if err != nil {
				t.Fatal(err)
			}
			cert := testRoot(t, "Test Root")
			// Without the tool under root the refresh is skipped.
			file, ran, err := sys.Install(context.Background(), st, cert, "")
			if err != nil || ran || file != filepath.Join(root, tc.file) {
				t.Fatalf("Install = %q, %v, %v", file, ran, err)
			}
			if _, err := os.Stat(file); err != nil {
				t.Fatal(err)
			}
			put(t, root, tc.tool, "")
			if _, ran, err = sys.Install(context.Background(), st, cert, ""); err != nil || !ran {
				t.Fatalf("Install with tool: ran=%v err=%v", ran, err)
			}
			removed, ran, err := sys.Uninstall(context.Background(), st, cert)
			if err != nil || !ran || !reflect.DeepEqual(removed, []string{file}) {
				t.Fatalf("Uninstall = %v, %v, %v", removed, ran, err)
			}
			if want := [][]string{tc.refresh, tc.purge}; !reflect.DeepEqual(calls, want) {
				t.Errorf("refresh calls %v, want %v", calls, want)
			}
			if removed, _, err := sys.Uninstall(context.Background(), st, cert); err != nil || len(removed) != 0 {
				t.Errorf("second Uninstall = %v, %v", removed, err)
			}
		})
	}
}
