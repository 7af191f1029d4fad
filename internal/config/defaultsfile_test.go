package config

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestDefaultsFileRoundTrip(t *testing.T) {
	in, err := os.ReadFile(filepath.Join("testdata", "step-init-defaults.json"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := ParseDefaults(in, "defaults.json")
	if err != nil {
		t.Fatal(err)
	}
	if d.CAURL != "https://localhost:9000" || d.Root != "/home/user/.step/certs/root_ca.crt" || len(d.Fingerprint) != 64 {
		t.Errorf("parsed %+v", d)
	}
	d.Extra = Extra{"x-flag": []byte(`"v"`)}
	path := filepath.Join(t.TempDir(), "config", "defaults.json")
	if err := WriteDefaults(path, d); err != nil {
		t.Fatal(err)
	}
	back, err := LoadDefaults(path)
	if err != nil {
		t.Fatal(err)
	}
	if back.CAConfig != d.CAConfig || string(back.Extra["x-flag"]) != `"v"` {
		t.Errorf("reloaded %+v", back)
	}
	if _, err := LoadDefaults(filepath.Join(t.TempDir(), "none.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	if _, err := ParseDefaults([]byte(`{"ca-url": 1}`), "defaults.json"); err == nil {
		t.Error("a number ca-url was accepted")
	}
}
