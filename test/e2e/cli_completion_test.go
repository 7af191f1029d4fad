package e2e

import (
	"strings"
	"testing"
)

// TestCompletionBash loads `stride completion bash` into a real bash, and
// asks the binary what the script asks it to complete `stride ca ro`.
func TestCompletionBash(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	script := e.write("stride.bash", must(t, e.stride("completion", "bash")).stdout)
	must(t, e.exec("bash", "", "-n", script))
	r := must(t, e.exec("bash", "", "-c", `source "`+script+`" && complete -p stride`))
	if !strings.Contains(r.stdout, "-F __start_stride stride") {
		t.Errorf("sourcing the script registered no completion: %s", r)
	}
	// What the script asks the binary when the user presses tab after `stride ca ro`.
	r = must(t, e.stride("__complete", "ca", "ro"))
	for _, want := range []string{"root\t", "roots\t"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stride __complete ca ro lacks %q:\n%s", want, r)
		}
	}
	for _, shell := range []string{"zsh", "fish"} {
		if out := must(t, e.stride("completion", shell)).stdout; !strings.Contains(out, "stride") {
			t.Errorf("completion %s: %q", shell, out)
		}
	}
}
