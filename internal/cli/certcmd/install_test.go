package certcmd

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestInstallUninstall(t *testing.T) {
	p := newTestPKI(t, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	sysroot := t.TempDir()
	if err := os.MkdirAll(filepath.Join(sysroot, "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(sysroot, "etc"), "os-release", []byte("ID=ubuntu\nID_LIKE=debian\n"))
	anchors := filepath.Join(sysroot, "usr/local/share/ca-certificates")
	want := filepath.Join(anchors, "stride-acme-"+p.root.SerialNumber.Text(16)+".crt")

	_, stderr, err := run(t, "install", p.rootPath, "--sysroot", sysroot, "--prefix", "Acme")
	expect(t, err, 0, "")
	if b, err := os.ReadFile(want); err != nil || len(b) == 0 {
		t.Fatalf("anchor %s not written: %v (stderr %q)", want, err, stderr)
	}
	_, stderr, err = run(t, "uninstall", p.rootPath, "--sysroot", sysroot)
	expect(t, err, 0, "")
	if _, err := os.Stat(want); !os.IsNotExist(err) {
		t.Fatalf("anchor still present after uninstall (stderr %q)", stderr)
	}

	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"not installed", []string{"uninstall", p.rootPath, "--sysroot", sysroot}, 1, "is not installed"},
		{"java", []string{"install", p.rootPath, "--sysroot", sysroot, "--java"}, 2, "not supported"},
		{"no-system", []string{"install", p.rootPath, "--sysroot", sysroot, "--no-system"}, 2, "nothing to do"},
		{"unknown system", []string{"install", p.rootPath, "--sysroot", t.TempDir()}, 1, "no supported system trust store"},
		{"csr", []string{"install", "testdata/leaf.csr", "--sysroot", sysroot}, 1, "is a certificate request"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := run(t, tc.args...)
			expect(t, err, tc.code, tc.msg)
		})
	}
}
