package template

import (
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ErrNoSource: neither an inline template nor a file was given; the caller
// falls back to its default (step's built-in leaf, a provisioner's own).
var ErrNoSource = errors.New("no template given")

// Source returns template text the way ca.json gives it (reference §6): an
// inline template that is JSON (starts with "{") or base64 of it, else the
// file at file, relative to base ($STRIDEPATH) unless absolute. Provisioner
// options and ACME profiles share it, so both read a template the same way.
func Source(inline, file, base string) (string, error) {
	switch s := strings.TrimSpace(inline); {
	case s != "":
		if strings.HasPrefix(s, "{") {
			return s, nil
		}
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return "", fmt.Errorf("the template is neither JSON nor base64: %w", err)
		}
		return string(b), nil
	case file != "":
		if !filepath.IsAbs(file) {
			file = filepath.Join(base, file)
		}
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("reading the template file: %w", err)
		}
		return string(b), nil
	}
	return "", ErrNoSource
}
