package certcmd

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
)

func TestFingerprintMatchesStep(t *testing.T) {
	type tc struct{ args, golden string }
	var cases []tc
	for _, f := range fixtures {
		cases = append(cases, tc{"testdata/" + f, f + ".fp"})
	}
	cases = append(cases,
		tc{"--bundle testdata/bundle.crt", "bundle.crt.bundle.fp"},
		tc{"--sha1 --insecure testdata/rsa.crt", "rsa.crt.fp-sha1"},
	)
	for _, f := range []string{"base64", "base64-url", "base64-raw", "base64-url-raw"} {
		cases = append(cases, tc{"--format " + f + " testdata/rsa.crt", "rsa.crt.fp-" + f})
	}
	for _, c := range cases {
		t.Run(c.args, func(t *testing.T) {
			out, _, err := run(t, append([]string{"fingerprint"}, strings.Fields(c.args)...)...)
			if err != nil {
				t.Fatal(err)
			}
			if want := readTestdata(t, "step/"+c.golden); out != want {
				t.Errorf("got %q, want %q", out, want)
			}
		})
	}
}

func TestKeyMatchesStep(t *testing.T) {
	for _, f := range fixtures {
		t.Run(f, func(t *testing.T) {
			out, _, err := run(t, "key", "testdata/"+f)
			if err != nil {
				t.Fatal(err)
			}
			if want := readTestdata(t, "step/"+f+".key"); out != want {
				t.Errorf("got %q, want %q", out, want)
			}
		})
	}
	out := filepath.Join(t.TempDir(), "leaf.pub")
	if _, _, err := run(t, "key", "testdata/leaf.crt", "--out", out); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(out); string(b) != readTestdata(t, "step/leaf.crt.key") {
		t.Errorf("--out wrote %q", b)
	}
	if _, _, err := run(t, "key", "testdata/leaf.crt", "--out", out); err == nil {
		t.Error("--out over an existing file without --force succeeded")
	}
}

// expect checks an error's exit code and message.
func expect(t *testing.T, err error, code int, msg string) {
	t.Helper()
	if got := cmdutil.ExitCode(err); got != code {
		t.Fatalf("exit code %d, want %d (err: %v)", got, code, err)
	}
	if msg != "" && (err == nil || !strings.Contains(err.Error(), msg)) {
		t.Errorf("error %v, want it to contain %q", err, msg)
	}
	if err != nil && strings.Contains(err.Error(), "\n") {
		t.Errorf("error is not one line: %q", err)
	}
}

func TestVerify(t *testing.T) {
	now := time.Now()
	p := newTestPKI(t, now.Add(-time.Hour), now.Add(time.Hour))
	expired := newTestPKI(t, now.Add(-2*time.Hour), now.Add(-time.Hour))
	tests := []struct {
		name string
		args []string
		code int
		msg  string
		out  string
	}{
		{"chain from bundle", []string{p.bundlePath, "--roots", p.rootPath}, 0, "", ""},
		{"issuing ca", []string{p.leafPath, "--roots", p.rootPath, "--issuing-ca", p.interPath}, 0, "", ""},
		{"roots list", []string{p.bundlePath, "--roots", expired.rootPath + "," + p.rootPath}, 0, "", ""},
		{"roots dir", []string{p.bundlePath, "--roots", p.dir}, 0, "", ""},
		{"host ok", []string{p.bundlePath, "--roots", p.rootPath, "--host", "leaf.example.com"}, 0, "", ""},
		{"verbose", []string{p.bundlePath, "--roots", p.rootPath, "-v"}, 0, "", "certificate is valid\n"},
		{"host mismatch", []string{p.bundlePath, "--roots", p.rootPath, "--host", "other.example.com"}, 1, "not other.example.com", ""},
		{"no intermediate", []string{p.leafPath, "--roots", p.rootPath}, 1, "failed to verify certificate", ""},
		{"wrong root", []string{p.bundlePath, "--roots", expired.rootPath}, 1, "unknown authority", ""},
		{"expired", []string{expired.bundlePath, "--roots", expired.rootPath}, 1, "expired", ""},
		{"csr", []string{"testdata/leaf.csr", "--roots", p.rootPath}, 1, "is a certificate request", ""},
		{"ocsp", []string{p.bundlePath, "--verify-ocsp"}, 2, "not supported", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, _, err := run(t, append([]string{"verify"}, tc.args...)...)
			expect(t, err, tc.code, tc.msg)
			if out != tc.out {
				t.Errorf("stdout %q, want %q", out, tc.out)
			}
		})
	}
}

func TestBundle(t *testing.T) {
	p := newTestPKI(t, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	out := filepath.Join(p.dir, "chain.crt")
	if _, _, err := run(t, "bundle", p.leafPath, p.interPath, out); err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile(p.bundlePath)
	if got, _ := os.ReadFile(out); string(got) != string(want) {
		t.Errorf("bundle is\n%s\nwant\n%s", got, want)
	}
	_, _, err := run(t, "bundle", p.leafPath, p.interPath, out)
	expect(t, err, 1, "use --force")
	if _, _, err := run(t, "bundle", "--force", p.leafPath, p.interPath, out); err != nil {
		t.Fatal(err)
	}
	_, _, err = run(t, "bundle", "testdata/leaf.csr", p.interPath, filepath.Join(p.dir, "x.crt"))
	expect(t, err, 1, "is a certificate request")
}

func TestNeedsRenewal(t *testing.T) {
	now := time.Now()
	fresh := newTestPKI(t, now.Add(-time.Hour), now.Add(99*time.Hour))  // 1% elapsed
	old := newTestPKI(t, now.Add(-80*time.Hour), now.Add(20*time.Hour)) // 80% elapsed
	tests := []struct {
		name string
		args []string
		code int // exit code of cmdutil.ExitCode
		want int // the code the command asks for (step's documented one)
		out  string
	}{
		{"fresh", []string{fresh.leafPath}, 1, exitNoRenewal, ""},
		{"old", []string{old.leafPath}, 0, 0, ""},
		{"old verbose", []string{old.leafPath, "-v"}, 0, 0, "certificate needs renewal\n"},
		{"fresh verbose", []string{fresh.leafPath, "--verbose"}, 1, exitNoRenewal, "certificate does not need renewal\n"},
		{"duration inside", []string{fresh.leafPath, "--expires-in", "100h"}, 0, 0, ""},
		{"duration outside", []string{old.leafPath, "--expires-in", "10h"}, 1, exitNoRenewal, ""},
		{"percent", []string{fresh.leafPath, "--expires-in", "100%"}, 0, 0, ""},
		{"percent small", []string{old.leafPath, "--expires-in", "10%"}, 1, exitNoRenewal, ""},
		{"bundle: leaf only", []string{fresh.bundlePath, "--expires-in", "98h"}, 1, exitNoRenewal, ""},
		{"bundle: no cert due", []string{fresh.bundlePath, "--expires-in", "98h", "--bundle"}, 1, exitNoRenewal, ""},
		{"bundle: every cert", []string{fresh.bundlePath, "--expires-in", "242h", "--bundle"}, 0, 0, ""},
		{"missing file", []string{filepath.Join(fresh.dir, "nope.crt")}, 2, exitFileMissing, ""},
		{"csr", []string{"testdata/leaf.csr"}, exitOtherError, exitOtherError, ""},
		{"bad window", []string{fresh.leafPath, "--expires-in", "1x"}, 2, 0, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, _, err := run(t, append([]string{"needs-renewal"}, tc.args...)...)
			if got := cmdutil.ExitCode(err); got != tc.code {
				t.Fatalf("exit code %d, want %d (err %v)", got, tc.code, err)
			}
			var ee *cmdutil.ExitError
			if errors.As(err, &ee) && ee.Code != tc.want {
				t.Errorf("requested exit code %d, want %d", ee.Code, tc.want)
			}
			if out != tc.out {
				t.Errorf("stdout %q, want %q", out, tc.out)
			}
		})
	}
}

func TestFingerprintErrors(t *testing.T) {
	_, _, err := run(t, "fingerprint", "--format", "emoji", "testdata/leaf.crt")
	expect(t, err, 2, "emoji")
	_, _, err = run(t, "fingerprint", "--format", "octal", "testdata/leaf.crt")
	expect(t, err, 2, "invalid value")
	_, _, err = run(t, "fingerprint", "--sha1", "testdata/leaf.crt")
	expect(t, err, 2, "--insecure")
}
