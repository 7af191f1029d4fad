package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// ErrCurrentContext is returned when removing the selected context, which
// step refuses too: select another one first.
var ErrCurrentContext = errors.New("cannot remove the current context")

// ContextNames returns the names of ctxs, sorted.
func ContextNames(ctxs ContextsFile) []string {
	names := make([]string, 0, len(ctxs))
	for n := range ctxs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// WriteContexts stores contexts.json under base (0600, like step).
func WriteContexts(base string, ctxs ContextsFile) error {
	if ctxs == nil {
		ctxs = ContextsFile{}
	}
	b, err := Marshal(ctxs)
	if err != nil {
		return fmt.Errorf("encoding %s: %w", filepath.Join(base, ContextsName), err)
	}
	return writeFileAtomic(filepath.Join(base, ContextsName), b, 0o600)
}

// AddContext records a new context. Its authority and profile must be plain
// directory names, because they are joined under base and removed with it.
func AddContext(base, name string, c Context) error {
	if strings.TrimSpace(name) == "" {
		return errors.New("context name is required")
	}
	if err := checkDirName("authority", c.Authority, true); err != nil {
		return err
	}
	if err := checkDirName("profile", c.Profile, false); err != nil {
		return err
	}
	ctxs, err := LoadContexts(base)
	if err != nil {
		return err
	}
	if _, ok := ctxs[name]; ok {
		return fmt.Errorf("context %q already exists in %s", name, filepath.Join(base, ContextsName))
	}
	ctxs[name] = c
	return WriteContexts(base, ctxs)
}

// SelectContext makes name the current context (current-context.json).
func SelectContext(base, name string) error {
	ctxs, err := LoadContexts(base)
	if err != nil {
		return err
	}
	if _, ok := ctxs[name]; !ok {
		return fmt.Errorf("context %q not found in %s", name, filepath.Join(base, ContextsName))
	}
	b, err := Marshal(CurrentContext{Context: name})
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(base, CurrentContextName), b, 0o600)
}

// ContextDirs returns the directories RemoveContext would delete for name:
// its authority and profile directories, except those another context
// still uses.
func ContextDirs(base, name string) ([]string, error) {
	ctxs, err := LoadContexts(base)
	if err != nil {
		return nil, err
	}
	c, ok := ctxs[name]
	if !ok {
		return nil, fmt.Errorf("context %q not found in %s", name, filepath.Join(base, ContextsName))
	}
	return ownedDirs(base, ctxs, name, c), nil
}

func ownedDirs(base string, ctxs ContextsFile, name string, c Context) []string {
	shared := func(pick func(Context) string) bool {
		for n, o := range ctxs {
			if n != name && pick(o) == pick(c) {
				return true
			}
		}
		return false
	}
	var dirs []string
	if checkDirName("authority", c.Authority, true) == nil && !shared(func(o Context) string { return o.Authority }) {
		dirs = append(dirs, filepath.Join(base, "authorities", c.Authority))
	}
	if c.Profile != "" && checkDirName("profile", c.Profile, false) == nil &&
		!shared(func(o Context) string { return o.Profile }) {
		dirs = append(dirs, filepath.Join(base, "profiles", c.Profile))
	}
	return dirs
}

// RemoveContext deletes the entry for name and, when removeDirs is set, the
// directories ContextDirs lists; it returns those it removed. The entry goes
// first, so a failure part-way leaves stray files, never a broken context.
func RemoveContext(base, name string, removeDirs bool) ([]string, error) {
	ctxs, err := LoadContexts(base)
	if err != nil {
		return nil, err
	}
	c, ok := ctxs[name]
	if !ok {
		return nil, fmt.Errorf("context %q not found in %s", name, filepath.Join(base, ContextsName))
	}
	cur, err := LoadCurrentContext(base)
	if err != nil {
		return nil, err
	}
	if cur == name {
		return nil, fmt.Errorf("context %q: %w", name, ErrCurrentContext)
	}
	dirs := ownedDirs(base, ctxs, name, c)
	delete(ctxs, name)
	if err := WriteContexts(base, ctxs); err != nil {
		return nil, err
	}
	if !removeDirs {
		return nil, nil
	}
	var removed []string
	for _, d := range dirs {
		if err := os.RemoveAll(d); err != nil {
			return removed, fmt.Errorf("removing %s: %w", d, err)
		}
		removed = append(removed, d)
	}
	return removed, nil
}

// checkDirName refuses names that would escape authorities/ or profiles/.
func checkDirName(what, s string, required bool) error {
	if s == "" {
		if required {
			return fmt.Errorf("context %s is required", what)
		}
		return nil
	}
	if s == "." || s == ".." || strings.ContainsAny(s, `/\`) || filepath.Base(s) != s {
		return fmt.Errorf("context %s %q must be a plain directory name", what, s)
	}
	return nil
}
