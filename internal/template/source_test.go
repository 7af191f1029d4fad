package template

import (
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestSource(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "leaf.tpl"), []byte(`{"file":true}`), 0o600); err != nil {
		t.Fatal(err)
	}
	b64 := base64.StdEncoding.EncodeToString([]byte(`{"b64":true}`))
	cases := []struct {
		name, inline, file, want string
		wantErr                  error // nil: success; errAny: some error
	}{
		{"InlineJSON", ` {"inline":true} `, "ignored", `{"inline":true}`, nil},
		{"InlineBase64", b64, "", `{"b64":true}`, nil},
		{"RelativeFile", "", "leaf.tpl", `{"file":true}`, nil},
		{"AbsoluteFile", "", filepath.Join(dir, "leaf.tpl"), `{"file":true}`, nil},
		{"None", "  ", "", "", ErrNoSource},
		{"BadBase64", "not base64!", "", "", errAny},
		{"MissingFile", "", "absent.tpl", "", errAny},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Source(c.inline, c.file, dir)
			switch {
			case c.wantErr == nil && (err != nil || got != c.want):
				t.Fatalf("Source = %q, %v; want %q", got, err, c.want)
			case c.wantErr == errAny && err == nil:
				t.Fatalf("Source = %q; want an error", got)
			case c.wantErr != nil && c.wantErr != errAny && !errors.Is(err, c.wantErr):
				t.Fatalf("Source error = %v; want %v", err, c.wantErr)
			}
		})
	}
}

var errAny = errors.New("any error")
