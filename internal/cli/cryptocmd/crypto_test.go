package cryptocmd_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
	"github.com/stride-pki/stride/internal/cli/cryptocmd"
)

// run executes `crypto args…` with stdin and returns stdout, stderr and the error.
func run(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	c := cryptocmd.New()
	c.SilenceErrors, c.SilenceUsage = true, true
	var out, errb bytes.Buffer
	c.SetArgs(args)
	c.SetIn(strings.NewReader(stdin))
	c.SetOut(&out)
	c.SetErr(&errb)
	err := c.Execute()
	return out.String(), errb.String(), err
}

// mustRun is run that fails the test on error.
func mustRun(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	out, _, err := run(t, stdin, args...)
	if err != nil {
		t.Fatalf("crypto %s: %v", strings.Join(args, " "), err)
	}
	return out
}

// writeFile writes content into dir and returns its path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// wantErr checks err: nil when want is "", else a one-line error holding
// want, with exit code usage (2) or failure (1) as asked.
func wantErr(t *testing.T, err error, want string, usage bool) {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("want an error containing %q", want)
	}
	if !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
		t.Fatalf("error %q: want one line containing %q", err, want)
	}
	var ue *cmdutil.UsageError
	if usage != errors.As(err, &ue) {
		t.Fatalf("error %q: usage error = %v, want %v", err, !usage, usage)
	}
}
