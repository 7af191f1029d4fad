package main

import (
	"io"
	"slices"
	"testing"
)

func TestParseConcurrency(t *testing.T) {
	tests := []struct {
		in   string
		want []int
	}{
		{"1,8,32", []int{1, 8, 32}},
		{" 4 ", []int{4}},
		{"0", nil},
		{"1,,2", nil},
		{"x", nil},
	}
	for _, tt := range tests {
		got, err := parseConcurrency(tt.in)
		if !slices.Equal(got, tt.want) || (err == nil) != (tt.want != nil) {
			t.Errorf("parseConcurrency(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestFlagsRequireATargetOnLoopback(t *testing.T) {
	base := []string{"--ca-config", "ca.json", "--provisioner", "p", "--password-file", "pw"}
	if _, err := parseFlags(base, io.Discard); err == nil {
		t.Error("no --ca-url accepted")
	}
	if _, err := parseFlags(append(base, "--ca-url", "https://192.0.2.1:9000"), io.Discard); err == nil {
		t.Error("a non-loopback target accepted")
	}
	if _, err := parseFlags(append(base, "--ca-url", "https://127.0.0.1:9000", "--format", "xml"), io.Discard); err == nil {
		t.Error("--format xml accepted")
	}
	f, err := parseFlags(append(base, "--ca-url", "https://127.0.0.1:9000", "--c", "2,4"), io.Discard)
	if err != nil || !slices.Equal(f.conc, []int{2, 4}) || f.n != 5000 {
		t.Errorf("parseFlags = %+v, %v", f, err)
	}
}
