// Package archtest keeps the dependency direction of docs/architecture.md
// true: a package may import only packages on its own level or above it.
package archtest

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/stride-pki/stride/"

// levels maps a package (by path prefix under internal/) to its level; lower
// numbers are further down the stack. The longest matching prefix wins.
var levels = map[string]int{
	"internal/config":      1,
	"internal/pemutil":     1,
	"internal/keys":        1,
	"internal/jose":        1,
	"internal/policy":      1,
	"internal/template":    1,
	"internal/validation":  1,
	"internal/truststore":  1,
	"internal/fileutil":    1,
	"internal/caerr":       1,
	"internal/p256verify":  1,
	"internal/lint":        2,
	"internal/kms":         2,
	"internal/storage":     3,
	"internal/stepimport":  3,
	"internal/provisioner": 4,
	"internal/authority":   5,
	"internal/sshca":       5,
	"internal/pki":         5,
	"internal/crl":         6,
	"internal/ocsp":        6,
	"internal/admin":       6,
	"internal/acme":        7,
	"internal/api":         8,
	"internal/acme/wfe":    8,
	"internal/scep":        8,
	"internal/client":      8,
	"internal/server":      9,
	"internal/cli":         10,
	"cmd":                  11,
	"test":                 12,
	"bench":                12,
}

// cliMayNot lists what the CLI must never import (design: the CLI talks to a
// CA through the client, never by linking the server).
var cliMayNot = []string{"internal/server", "internal/authority", "internal/storage", "internal/admin", "internal/stepimport"}

// cliExceptions names the CLI packages allowed one of cliMayNot, and why:
// `stride ca certificates` reads a CA's database offline (issue 4), through
// the admin core's Inventory, which opens the store; the CLI still never
// imports storage itself. `stride ca import-step` writes a CA's database
// offline (issue 4, from step-ca) through stepimport, which opens the store.
var cliExceptions = map[string][]string{
	"internal/cli/inventorycmd": {"internal/admin"},
	// `stride ca db export|import|migrate` moves a database's records offline (issue 4).
	"internal/cli/dbcmd":         {"internal/admin"},
	"internal/cli/stepimportcmd": {"internal/stepimport"},
	// `stride ca acme eab add|list|remove` manages ACME external account
	// keys in a CA's database offline, through the admin core's EAB.
	"internal/cli/acmecmd": {"internal/admin"},
	// `stride ca certificate|sign --offline` signs with the CA's own key in
	// process, building the authority as stride-ca does over its database.
	"internal/cli/offline": {"internal/server", "internal/authority", "internal/storage", "internal/storage/open"},
}

// cliForbidden reports whether CLI package from may not import target.
func cliForbidden(from, target string) bool {
	for _, bad := range cliMayNot {
		if target != bad && !strings.HasPrefix(target, bad+"/") {
			continue
		}
		for _, ok := range cliExceptions[from] {
			if target == ok {
				return false
			}
		}
		return true
	}
	return false
}

func levelOf(rel string) (int, bool) {
	best, lvl := "", 0
	for prefix, l := range levels {
		if (rel == prefix || strings.HasPrefix(rel, prefix+"/")) && len(prefix) > len(best) {
			best, lvl = prefix, l
		}
	}
	return lvl, best != ""
}

func TestImportDirection(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	var violations []string
	checked := 0
	err = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if strings.HasPrefix(name, ".") || name == "testdata" || name == "bin" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		relDir, _ := filepath.Rel(root, filepath.Dir(path))
		relDir = filepath.ToSlash(relDir)
		from, ok := levelOf(relDir)
		if !ok {
			violations = append(violations, relDir+": package has no level in archtest (add it here and to docs/architecture.md)")
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		checked++
		for _, imp := range f.Imports {
			p := strings.Trim(imp.Path.Value, `"`)
			if !strings.HasPrefix(p, module) {
				continue
			}
			target := strings.TrimPrefix(p, module)
			to, ok := levelOf(target)
			if !ok {
				continue // reported when the target itself is walked
			}
			if to > from {
				violations = append(violations, relDir+" (level "+itoa(from)+") imports "+target+" (level "+itoa(to)+")")
			}
			if strings.HasPrefix(relDir, "internal/cli") && cliForbidden(relDir, target) {
				violations = append(violations, relDir+" imports "+target+": the CLI must not link the server side")
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked == 0 {
		t.Fatal("no Go files checked; is the walk rooted right?")
	}
	sort.Strings(violations)
	for _, v := range dedupe(violations) {
		t.Error(v)
	}
}

func TestLevelOf(t *testing.T) {
	cases := map[string]int{
		"internal/acme":          7,
		"internal/acme/wfe":      8,
		"internal/storage/bolt":  3,
		"internal/cli/certcmd":   10,
		"internal/configuration": -1, // a prefix match must stop at a path boundary
	}
	for rel, want := range cases {
		got, ok := levelOf(rel)
		if !ok {
			got = -1
		}
		if got != want {
			t.Errorf("levelOf(%q) = %d, want %d", rel, got, want)
		}
	}
}

func TestCLIForbidden(t *testing.T) {
	cases := []struct {
		from, target string
		want         bool
	}{
		{"internal/cli/inventorycmd", "internal/admin", false},
		{"internal/cli/inventorycmd", "internal/storage", true},
		{"internal/cli/inventorycmd", "internal/storage/open", true},
		{"internal/cli/dbcmd", "internal/admin", false},
		{"internal/cli/dbcmd", "internal/storage", true},
		{"internal/cli/cacmd", "internal/admin", true},
		{"internal/cli/cacmd", "internal/server", true},
		{"internal/cli/cacmd", "internal/client", false},
		{"internal/cli/stepimportcmd", "internal/stepimport", false},
		{"internal/cli/stepimportcmd", "internal/storage", true},
		{"internal/cli/cacmd", "internal/stepimport", true},
		{"internal/cli/acmecmd", "internal/admin", false},
		{"internal/cli/acmecmd", "internal/storage", true},
	}
	for _, c := range cases {
		if got := cliForbidden(c.from, c.target); got != c.want {
			t.Errorf("cliForbidden(%s, %s) = %v, want %v", c.from, c.target, got, c.want)
		}
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func dedupe(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}
