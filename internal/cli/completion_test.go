package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCompletion: each shell gets a script; bash's parses with `bash -n`.
func TestCompletion(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		code, out, errOut := run(t, "completion", shell)
		if code != 0 || !strings.Contains(out, "stride") {
			t.Fatalf("%s: exit %d, stderr %q", shell, code, errOut)
		}
		if shell != "bash" {
			continue
		}
		bash, err := exec.LookPath("bash")
		if err != nil {
			t.Fatal("bash is needed to check the bash completion script")
		}
		f := filepath.Join(t.TempDir(), "stride.bash")
		os.WriteFile(f, []byte(out), 0o600)
		if b, err := exec.Command(bash, "-n", f).CombinedOutput(); err != nil {
			t.Fatalf("bash -n: %v\n%s", err, b)
		}
	}
	if code, _, errOut := run(t, "completion", "tcsh"); code != 2 || !strings.Contains(errOut, "bash") {
		t.Fatalf("unknown shell: exit %d, %q", code, errOut)
	}
	if code, _, _ := run(t, "completion"); code != 2 {
		t.Fatalf("no shell: exit %d, want 2", code)
	}
}

func TestVersionAndPathJSON(t *testing.T) {
	base := t.TempDir()
	t.Setenv("STRIDEPATH", base)
	t.Setenv("STRIDE_CONTEXT", "")
	code, out, _ := run(t, "version", "--format", "json")
	var v map[string]string
	if code != 0 || json.Unmarshal([]byte(out), &v) != nil || v["version"] != Version || v["name"] != "Stride CLI" {
		t.Fatalf("version: exit %d %q", code, out)
	}
	if _, out, _ := run(t, "version"); out != "Stride CLI/"+Version+"\n" {
		t.Fatalf("version text changed: %q", out)
	}
	code, out, _ = run(t, "path", "--format", "json")
	if code != 0 || json.Unmarshal([]byte(out), &v) != nil || v["base"] != base || v["authority"] != base {
		t.Fatalf("path: exit %d %q", code, out)
	}
	if code, _, _ := run(t, "path", "--format", "yaml"); code != 2 {
		t.Fatalf("path --format yaml: exit %d, want 2", code)
	}
}
