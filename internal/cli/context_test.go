package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stride-pki/stride/internal/config"
)

// contextBase makes a $STRIDEPATH with contexts one and two (two current),
// each with authority and profile directories, and points STRIDEPATH at it.
func contextBase(t *testing.T) string {
	t.Helper()
	base := t.TempDir()
	t.Setenv("STRIDEPATH", base)
	t.Setenv("STRIDE_CONTEXT", "")
	for _, n := range []string{"one", "two"} {
		c := config.Context{Authority: "auth-" + n, Profile: "prof-" + n}
		if err := config.AddContext(base, n, c); err != nil {
			t.Fatal(err)
		}
		for _, d := range []string{"authorities/auth-" + n + "/config", "profiles/prof-" + n + "/config"} {
			if err := os.MkdirAll(filepath.Join(base, d), 0o700); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := config.SelectContext(base, "two"); err != nil {
		t.Fatal(err)
	}
	return base
}

func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Main(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestContextCommands(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		code     int
		stdout   string
		stderrIn string
	}{
		{"list", []string{"context", "list"}, 0, "▶ two\none\n", ""},
		{"current", []string{"context", "current"}, 0, "two\n", ""},
		{"current --json", []string{"context", "current", "--json"}, 0,
			`{"name":"two","authority":"auth-two","profile":"prof-two"}` + "\n", ""},
		{"current --format json", []string{"context", "current", "--format", "json"}, 0,
			`{"name":"two","authority":"auth-two","profile":"prof-two"}` + "\n", ""},
		{"bad format", []string{"context", "list", "--format", "yaml"}, 2, "", "--format must be text or json"},
		{"select unknown", []string{"context", "select", "nope"}, 1, "", `context "nope" not found in `},
		{"select no arg", []string{"context", "select"}, 2, "", "accepts 1 arg"},
		{"remove current", []string{"context", "remove", "two", "--force"}, 1, "", "cannot remove the current context"},
		{"remove unknown", []string{"context", "remove", "nope", "-f"}, 1, "", `context "nope" not found`},
		{"remove without terminal", []string{"context", "remove", "one"}, 2, "", "pass --force"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			contextBase(t)
			code, out, errOut := run(t, tc.args...)
			if code != tc.code || out != tc.stdout || !strings.Contains(errOut, tc.stderrIn) {
				t.Errorf("got code %d stdout %q stderr %q; want %d %q %q", code, out, errOut, tc.code, tc.stdout, tc.stderrIn)
			}
			if strings.Count(errOut, "\n") > 1 {
				t.Errorf("error is not one line: %q", errOut)
			}
		})
	}
}

func TestContextListJSON(t *testing.T) {
	contextBase(t)
	code, out, errOut := run(t, "context", "list", "--format", "json")
	if code != 0 {
		t.Fatalf("code %d: %s", code, errOut)
	}
	var list []struct {
		Name, Authority, Profile string
		Current                  bool
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil || len(list) != 2 ||
		list[0].Name != "one" || list[0].Current || !list[1].Current || list[1].Profile != "prof-two" {
		t.Errorf("list = %+v, %v\n%s", list, err, out)
	}
}

func TestContextSelectAndRemove(t *testing.T) {
	base := contextBase(t)
	if code, _, errOut := run(t, "context", "select", "one"); code != 0 {
		t.Fatalf("select: %s", errOut)
	}
	if code, out, _ := run(t, "context", "current"); code != 0 || out != "one\n" {
		t.Errorf("current after select = %q", out)
	}
	if code, out, _ := run(t, "path"); code != 0 || out != filepath.Join(base, "authorities", "auth-one")+"\n" {
		t.Errorf("path after select = %q", out)
	}
	if code, _, errOut := run(t, "context", "remove", "two", "--force"); code != 0 {
		t.Fatalf("remove: %s", errOut)
	}
	for _, d := range []string{"authorities/auth-two", "profiles/prof-two"} {
		if _, err := os.Stat(filepath.Join(base, d)); !os.IsNotExist(err) {
			t.Errorf("%s still exists", d)
		}
	}
	if _, err := os.Stat(filepath.Join(base, "authorities", "auth-one")); err != nil {
		t.Errorf("other context's directory removed: %v", err)
	}
	if code, out, _ := run(t, "context", "list"); code != 0 || out != "▶ one\n" {
		t.Errorf("list after remove = %q", out)
	}
}

// A current-context.json naming a context that no longer exists must not
// lock the user out of the commands that repair it.
func TestContextRepairBrokenCurrent(t *testing.T) {
	base := contextBase(t)
	if err := os.WriteFile(filepath.Join(base, config.CurrentContextName), []byte(`{"context":"gone"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := run(t, "context", "list"); code != 0 || out != "one\ntwo\n" {
		t.Errorf("list = %d %q %q", code, out, errOut)
	}
	if code, _, errOut := run(t, "context", "select", "one"); code != 0 {
		t.Errorf("select = %d %q", code, errOut)
	}
}

func TestContextCurrentNone(t *testing.T) {
	base := t.TempDir()
	t.Setenv("STRIDEPATH", base)
	code, out, errOut := run(t, "context", "current")
	if code != 1 || out != "" || errOut != "error: no context selected\n" {
		t.Errorf("got %d %q %q", code, out, errOut)
	}
	if code, out, _ := run(t, "context", "list"); code != 0 || out != "" {
		t.Errorf("list without contexts = %d %q", code, out)
	}
}
