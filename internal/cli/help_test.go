package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// TestEveryCommandHasHelpAndExample walks the whole tree: each runnable
// command has a short description and an example, and --help works.
func TestEveryCommandHasHelpAndExample(t *testing.T) {
	var walk func(c *cobra.Command)
	count := 0
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			walk(sub)
		}
		if !c.Runnable() || c.HasSubCommands() || c.Hidden || c.Name() == "help" || strings.HasPrefix(c.CommandPath(), "stride completion") {
			return
		}
		count++
		if c.Short == "" {
			t.Errorf("%s has no short description", c.CommandPath())
		}
		if c.Example == "" && c.Name() != "version" {
			t.Errorf("%s has no example", c.CommandPath())
		}
	}
	walk(NewRoot())
	if count < 25 {
		t.Fatalf("only %d commands found", count)
	}
	var out, errb bytes.Buffer
	if code := Main(context.Background(), []string{"ca", "init", "--help"}, strings.NewReader(""), &out, &errb); code != 0 {
		t.Fatalf("--help exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "--password-file") {
		t.Fatalf("help output: %s", out.String())
	}
}

// TestExitCodes: usage errors exit 2, failures 1, and both print one line.
func TestExitCodes(t *testing.T) {
	cases := []struct {
		args []string
		code int
	}{
		{[]string{"certificate", "inspect"}, 2},
		{[]string{"certificate", "inspect", "--no-such-flag", "x"}, 2},
		{[]string{"certificate", "inspect", "/does/not/exist.crt"}, 1},
		{[]string{"nosuchcommand"}, 2},
		{[]string{"ca", "nosuchcommand"}, 2},
		{[]string{"crypto", "jwk", "nosuchcommand"}, 2},
	}
	for _, tc := range cases {
		var out, errb bytes.Buffer
		code := Main(context.Background(), tc.args, strings.NewReader(""), &out, &errb)
		if code != tc.code {
			t.Errorf("%v: exit %d, want %d (%s)", tc.args, code, tc.code, errb.String())
		}
		if lines := strings.Count(strings.TrimSpace(errb.String()), "\n"); lines != 0 || errb.Len() == 0 {
			t.Errorf("%v: error output is not one line: %q", tc.args, errb.String())
		}
	}
}
