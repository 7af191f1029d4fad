package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// newContexts makes base with contexts a, b (sharing profile p) and c, and
// their directories.
func newContexts(t *testing.T) string {
	t.Helper()
	base := t.TempDir()
	for name, c := range map[string]Context{
		"a": {Authority: "auth-a", Profile: "p"},
		"b": {Authority: "auth-b", Profile: "p"},
		"c": {Authority: "auth-c", Profile: "prof-c"},
	} {
		if err := AddContext(base, name, c); err != nil {
			t.Fatal(err)
		}
		for _, d := range []string{filepath.Join("authorities", c.Authority, "config"), filepath.Join("profiles", c.Profile)} {
			if err := os.MkdirAll(filepath.Join(base, d), 0o700); err != nil {
				t.Fatal(err)
			}
		}
	}
	return base
}

func TestAddContext(t *testing.T) {
	base := newContexts(t)
	tests := []struct {
		name string
		ctx  string
		c    Context
		want string
	}{
		{"exists", "a", Context{Authority: "x"}, `context "a" already exists`},
		{"no name", "", Context{Authority: "x"}, "context name is required"},
		{"no authority", "d", Context{}, "context authority is required"},
		{"escaping authority", "d", Context{Authority: "../x"}, "must be a plain directory name"},
		{"escaping profile", "d", Context{Authority: "x", Profile: ".."}, "must be a plain directory name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := AddContext(base, tc.ctx, tc.c)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
	ctxs, err := LoadContexts(base)
	if err != nil || !reflect.DeepEqual(ContextNames(ctxs), []string{"a", "b", "c"}) {
		t.Errorf("contexts = %v, %v", ctxs, err)
	}
	st, _ := os.Stat(filepath.Join(base, ContextsName))
	if st.Mode().Perm() != 0o600 {
		t.Errorf("contexts.json mode %v", st.Mode().Perm())
	}
}

func TestSelectContext(t *testing.T) {
	base := newContexts(t)
	p, err := ResolvePaths(base, "")
	if err != nil || p.Authority != base {
		t.Fatalf("no current context: %+v, %v", p, err)
	}
	if err := SelectContext(base, "b"); err != nil {
		t.Fatal(err)
	}
	if cur, _ := LoadCurrentContext(base); cur != "b" {
		t.Errorf("current = %q", cur)
	}
	p, err = ResolvePaths(base, "")
	if err != nil || p.Authority != filepath.Join(base, "authorities", "auth-b") || p.Profile != filepath.Join(base, "profiles", "p") {
		t.Errorf("resolved %+v, %v", p, err)
	}
	err = SelectContext(base, "zz")
	if err == nil || !strings.Contains(err.Error(), `context "zz" not found in `+filepath.Join(base, ContextsName)) {
		t.Errorf("unknown context: %v", err)
	}
}

func TestRemoveContext(t *testing.T) {
	base := newContexts(t)
	if err := SelectContext(base, "c"); err != nil {
		t.Fatal(err)
	}
	if _, err := RemoveContext(base, "c", true); !errors.Is(err, ErrCurrentContext) {
		t.Errorf("removing current: %v", err)
	}
	if _, err := RemoveContext(base, "zz", true); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("removing unknown: %v", err)
	}
	dirs, err := ContextDirs(base, "a")
	if want := []string{filepath.Join(base, "authorities", "auth-a")}; err != nil || !reflect.DeepEqual(dirs, want) {
		t.Errorf("dirs of a (shared profile kept) = %v, %v", dirs, err)
	}
	removed, err := RemoveContext(base, "a", true)
	if err != nil || len(removed) != 1 {
		t.Fatalf("remove a: %v, %v", removed, err)
	}
	if _, err := os.Stat(filepath.Join(base, "authorities", "auth-a")); !errors.Is(err, os.ErrNotExist) {
		t.Error("authority dir of a still there")
	}
	if _, err := os.Stat(filepath.Join(base, "profiles", "p")); err != nil {
		t.Error("profile shared with b was removed")
	}
	if removed, err := RemoveContext(base, "b", false); err != nil || removed != nil {
		t.Fatalf("remove b keeping dirs: %v, %v", removed, err)
	}
	if _, err := os.Stat(filepath.Join(base, "authorities", "auth-b")); err != nil {
		t.Error("dirs removed although not asked")
	}
	ctxs, _ := LoadContexts(base)
	if !reflect.DeepEqual(ContextNames(ctxs), []string{"c"}) {
		t.Errorf("left %v", ContextNames(ctxs))
	}
}

func TestContextsKeepUnknownMembers(t *testing.T) {
	base := t.TempDir()
	in := `{"one":{"authority":"a","profile":"p","x-future":true}}`
	if err := os.WriteFile(filepath.Join(base, ContextsName), []byte(in), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := AddContext(base, "two", Context{Authority: "b"}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(base, ContextsName))
	if !strings.Contains(string(b), `"x-future": true`) {
		t.Errorf("unknown member lost:\n%s", b)
	}
}
