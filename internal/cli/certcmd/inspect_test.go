package certcmd

import (
	"encoding/json"
	"encoding/pem"
	"errors"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
)

var fixtures = []string{"root.crt", "int.crt", "leaf.crt", "rsa.crt", "ed.crt", "nc.crt", "odd.crt", "bundle.crt", "leaf.csr", "rsa.csr", "ed.csr"}

// TestInspectJSONMatchesStep compares our JSON with the step CLI's on the same
// files. "names" is compared as a set: step lists it in random order.
func TestInspectJSONMatchesStep(t *testing.T) {
	cases := []struct{ name, golden string }{}
	for _, f := range fixtures {
		cases = append(cases, struct{ name, golden string }{f, f + ".json"})
	}
	cases = append(cases, struct{ name, golden string }{"bundle.crt --bundle", "bundle.crt.bundle.json"})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"inspect", "--format", "json"}, strings.Fields(tc.name)...)
			args[3] = filepath.Join("testdata", args[3])
			out, _, err := run(t, args...)
			if err != nil {
				t.Fatal(err)
			}
			got, want := normalizeJSON(t, out), normalizeJSON(t, readTestdata(t, "step/"+tc.golden))
			if !reflect.DeepEqual(got, want) {
				t.Errorf("JSON differs from step's\n got: %s\nwant: %s", out, readTestdata(t, "step/"+tc.golden))
			}
		})
	}
}

func normalizeJSON(t *testing.T, s string) any {
	t.Helper()
	var v any
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber() // step's CSR JSON has big integers
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("invalid JSON: %v\n%s", err, s)
	}
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if names, ok := x["names"].([]any); ok {
				sort.Slice(names, func(i, j int) bool { return names[i].(string) < names[j].(string) })
			}
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return v
}

// TestInspectTextMatchesStep compares the text and --short forms with step's,
// byte for byte. The one deliberate difference: step prints an Ed25519 key as
// "(32 bit)"; we print its real size.
func TestInspectTextMatchesStep(t *testing.T) {
	for _, f := range fixtures {
		for _, form := range []struct{ flag, ext string }{{"", ".txt"}, {"--short", ".short"}} {
			t.Run(f+form.ext, func(t *testing.T) {
				args := []string{"inspect", filepath.Join("testdata", f)}
				if form.flag != "" {
					args = append(args, form.flag)
				}
				out, _, err := run(t, args...)
				if err != nil {
					t.Fatal(err)
				}
				want := strings.Replace(readTestdata(t, "step/"+f+form.ext), "Public-Key: (32 bit)", "Public-Key: (256 bit)", 1)
				if out != want {
					t.Errorf("got:\n%s\nwant:\n%s", out, want)
				}
			})
		}
	}
	for _, form := range []struct{ flag, golden string }{{"--format=text", "bundle.crt.bundle.txt"}, {"--short", "bundle.crt.bundle.short"}} {
		out, _, err := run(t, "inspect", "--bundle", form.flag, "testdata/bundle.crt")
		if err != nil {
			t.Fatal(err)
		}
		if want := readTestdata(t, "step/"+form.golden); out != want {
			t.Errorf("%s: got:\n%s\nwant:\n%s", form.golden, out, want)
		}
	}
}

func TestInspectInputs(t *testing.T) {
	dir := t.TempDir()
	leafPEM := readTestdata(t, "leaf.crt")
	block, _ := pem.Decode([]byte(leafPEM))
	der := writeFile(t, dir, "leaf.der", block.Bytes)
	truncated := writeFile(t, dir, "trunc.crt", []byte(leafPEM[:len(leafPEM)/2]))
	garbage := writeFile(t, dir, "garbage.crt", []byte("not a certificate"))
	csrBlock, _ := pem.Decode([]byte(readTestdata(t, "leaf.csr")))
	bad := append([]byte{}, csrBlock.Bytes...)
	bad[len(bad)-5] ^= 0xff // inside the signature
	badCSR := writeFile(t, dir, "bad.csr", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: bad}))

	tests := []struct {
		name     string
		args     []string
		wantOut  string // substring of stdout
		wantErr  string // substring of the error
		wantCode int
	}{
		{"der", []string{"inspect", der}, "Subject: CN=leaf.example.com", "", 0},
		{"pem output of der", []string{"inspect", "--format", "pem", der}, "-----BEGIN CERTIFICATE-----", "", 0},
		{"bundle pem", []string{"inspect", "--bundle", "--format", "pem", "testdata/bundle.crt"}, "-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----", "", 0},
		{"csr pem", []string{"inspect", "--format", "pem", "testdata/leaf.csr"}, "-----BEGIN CERTIFICATE REQUEST-----", "", 0},
		{"bad csr signature", []string{"inspect", badCSR}, "Signature Verification: FAILED", "", 0},
		{"truncated pem", []string{"inspect", truncated}, "", truncated + ": contains no valid PEM", 1},
		{"garbage", []string{"inspect", garbage}, "", garbage + ": is neither", 1},
		{"missing file", []string{"inspect", filepath.Join(dir, "nope.crt")}, "", "nope.crt: no such file", 1},
		{"unknown format", []string{"inspect", "--format", "yaml", der}, "", "invalid value \"yaml\" for --format", 2},
		{"short with json", []string{"inspect", "--short", "--format", "json", der}, "", "--short", 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, _, err := run(t, tc.args...)
			if code := cmdutil.ExitCode(err); code != tc.wantCode {
				t.Fatalf("exit code %d, want %d (err %v)", code, tc.wantCode, err)
			}
			if tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Errorf("error %v, want it to contain %q", err, tc.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
			if !strings.Contains(out, tc.wantOut) {
				t.Errorf("output does not contain %q:\n%s", tc.wantOut, out)
			}
		})
	}
	var ue *cmdutil.UsageError
	_, _, err := run(t, "inspect", "--format", "yaml", der)
	if !errors.As(err, &ue) {
		t.Errorf("unknown format should be a usage error, got %T", err)
	}
}
