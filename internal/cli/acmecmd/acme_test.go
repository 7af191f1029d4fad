package acmecmd

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
)

const caJSON = `{"address":":9443","dnsNames":["ca.example"],"db":{"type":"bbolt","dataSource":"db/stride.db"},
 "authority":{"provisioners":[{"type":"JWK","name":"admin"},{"type":"ACME","name":"acme","requireEAB":true}]}}`

// run runs `stride ca acme args…` with $STRIDEPATH at dir.
func run(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	cmd := New()
	var out, errOut bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs(args)
	cmd.SetContext(context.Background())
	err := cmd.Execute()
	return out.String(), errOut.String(), err
}

func setup(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("STRIDEPATH", dir)
	if err := os.MkdirAll(filepath.Join(dir, "config"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config", "ca.json"), []byte(caJSON), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestEABCommands(t *testing.T) {
	setup(t)
	out, _, err := run(t, "eab", "add", "acme", "team-a", "--allow-dns", "*.team-a.example", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var added struct {
		ID, HMACKey, Provisioner, Reference string
		Policy                              json.RawMessage
	}
	if err := json.Unmarshal([]byte(out), &added); err != nil {
		t.Fatalf("add --format json: %v\n%s", err, out)
	}
	var policy bytes.Buffer
	json.Compact(&policy, added.Policy)
	if key, err := base64.RawURLEncoding.DecodeString(added.HMACKey); err != nil || len(key) != 32 || added.Reference != "team-a" ||
		policy.String() != `{"allow":{"dns":["*.team-a.example"]}}` {
		t.Fatalf("added = %+v", added)
	}

	out, _, err = run(t, "eab", "add", "acme")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`Key ID:\s+(\S+)\nHMAC key:\s+(\S+)`).FindStringSubmatch(out)
	if m == nil || !strings.Contains(out, "certbot register --server https://ca.example:9443/acme/acme/directory --eab-kid "+m[1]+" --eab-hmac-key="+m[2]) ||
		!strings.Contains(out, "lego --server https://ca.example:9443/acme/acme/directory --eab --kid "+m[1]+" --hmac="+m[2]) {
		t.Fatalf("add output:\n%s", out)
	}

	out, _, err = run(t, "eab", "list", "acme")
	if err != nil || strings.Count(out, "\n") != 3 || !strings.Contains(out, added.ID) || !strings.Contains(out, m[1]) ||
		strings.Contains(out, added.HMACKey) || strings.Contains(out, m[2]) {
		t.Fatalf("list = %v\n%s", err, out)
	}
	out, _, err = run(t, "eab", "list", "acme", "team-a", "--format", "json")
	var listed []map[string]any
	if err != nil || json.Unmarshal([]byte(out), &listed) != nil || len(listed) != 1 || listed[0]["id"] != added.ID || listed[0]["hmacKey"] != nil {
		t.Fatalf("list team-a = %v\n%s", err, out)
	}

	if out, _, err = run(t, "eab", "remove", "acme", added.ID); err != nil || !strings.Contains(out, "removed") {
		t.Fatalf("remove = %v\n%s", err, out)
	}
	if out, _, _ = run(t, "eab", "list", "acme", "--format", "json"); strings.Contains(out, added.ID) {
		t.Fatalf("removed key still listed:\n%s", out)
	}
}

func TestEABCommandErrors(t *testing.T) {
	dir := setup(t)
	cases := []struct {
		name  string
		args  []string
		want  string
		usage bool
	}{
		{"NotACME", []string{"eab", "add", "admin"}, `provisioner "admin" is JWK, not ACME`, true},
		{"Unknown", []string{"eab", "add", "nope"}, `ca.json has no provisioner "nope"`, true},
		{"BadRule", []string{"eab", "add", "acme", "--allow-dns", ".x"}, "x509 policy", true},
		{"BadFormat", []string{"eab", "list", "acme", "--format", "csv"}, `--format "csv"`, true},
		{"RemoveUnknown", []string{"eab", "remove", "acme", "nope"}, `has no external account key "nope"`, false},
		{"NoConfig", []string{"eab", "list", "acme", "--ca-config", filepath.Join(dir, "absent.json")}, "absent.json", false},
		{"TooManyArgs", []string{"eab", "add", "acme", "ref", "extra"}, "accepts between 1 and 2 arg(s)", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := run(t, c.args...)
			if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("err = %v; want one line containing %q", err, c.want)
			}
			var ue *cmdutil.UsageError
			if c.usage && !errors.As(err, &ue) {
				t.Fatalf("err = %T; want a usage error", err)
			}
		})
	}
}
