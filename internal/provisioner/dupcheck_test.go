package provisioner

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// The duplicate check as it was before the byte scanner: a walk with
// json.Decoder.Token. It is the reference the scanner must agree with.

// checkDuplicatesDecoder walks a JSON document and fails on an object with two
// members whose names are equal ignoring case: encoding/json matches names
// case-insensitively and keeps the last, so {"exp":1,"EXP":9e9} would let a
// parser differential decide what a token means.
func checkDuplicatesDecoder(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := walkValueDecoder(dec); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("trailing data")
	}
	return nil
}

func walkValueDecoder(dec *json.Decoder) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch tok {
	case json.Delim('{'):
		seen := map[string]bool{}
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return err
			}
			key := foldKeyRunes(k.(string))
			if seen[key] {
				return fmt.Errorf("duplicate member %q", k)
			}
			seen[key] = true
			if err := walkValueDecoder(dec); err != nil {
				return err
			}
		}
		_, err = dec.Token()
		return err
	case json.Delim('['):
		for dec.More() {
			if err := walkValueDecoder(dec); err != nil {
				return err
			}
		}
		_, err = dec.Token()
		return err
	}
	return nil
}

// foldKey maps every rune to the smallest member of its Unicode case-folding
// orbit, so that names encoding/json would confuse (including "K" and the
// Kelvin sign, "s" and the long s) fold to the same key.
func foldKeyRunes(s string) string {
	var b strings.Builder
	for _, r := range s {
		min := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if f < min {
				min = f
			}
		}
		b.WriteRune(min)
	}
	return b.String()
}

var dupCases = []string{
	`{}`, `[]`, `1`, `"s"`, `null`, ` {"a":1} `, `{"a":1,"b":2}`, `{"a":1,"A":2}`, `{"exp":1,"EXP":9e9}`,
	`{"k":1,"\u212a":2}`, `{"s":1,"\u017f":2}`, `{"\u0065xp":1,"exp":2}`, `{"a\"b":1,"A\"B":2}`,
	`{"a":{"b":1,"B":2}}`, `{"a":[{"x":1},{"x":2}]}`, `{"a":[{"x":1,"X":2}]}`, `{"a":{},"b":[],"c":""}`,
	`{"é":1,"É":2}`, `{"ǅ":1,"ǆ":2}`, `{"a":1}{"a":1}`, `{"a" : 1 , "b" : [ 1 , 2 , { "c" : null } ] }`,
	`{"\\":1,"\/":2,"/":3}`, `{"x":"}\"{","X":0}`, `[1,[2,[3,{"q":{"Q":1}}]]]`, `{"":1,"":2}`,
	`{"ß":1,"ẞ":2}`, `{"ı":1,"I":2}`, `{"ſt":1}`, `{"a":true,"b":false,"c":-1.5e-3}`,
}

// TestCheckDuplicatesMatchesDecoder: the scanner and the decoder walk give
// the same answer (nil, or the same duplicate) on valid JSON.
func TestCheckDuplicatesMatchesDecoder(t *testing.T) {
	for _, c := range dupCases {
		compareDupCheck(t, []byte(c))
	}
}

func FuzzCheckDuplicates(f *testing.F) {
	for _, c := range dupCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, b []byte) { compareDupCheck(t, b) })
}

func compareDupCheck(t *testing.T, b []byte) {
	t.Helper()
	if !utf8.Valid(b) || !json.Valid(b) {
		return // decodeSegment refuses these before the check
	}
	got, want := checkDuplicates(b), checkDuplicatesDecoder(b)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("%q: scanner says %v, decoder walk %v", b, got, want)
	}
}

// foldKey's ASCII shortcut agrees with the rune walk on every ASCII byte
// and on the non-ASCII members of ASCII letters' orbits.
func TestFoldKeyASCII(t *testing.T) {
	var all strings.Builder
	for c := range 0x80 {
		all.WriteByte(byte(c))
	}
	for _, s := range []string{all.String(), "Kelvin\u212a", "long\u017fs", "MiXeD-09_"} {
		if got, want := foldKey(s), foldKeyRunes(s); got != want {
			t.Fatalf("foldKey(%q) = %q, want %q", s, got, want)
		}
	}
}

func BenchmarkCheckDuplicates(b *testing.B) {
	payload := []byte(`{"aud":"https://127.0.0.1:9000/1.0/sign","exp":1763900000,"iat":1763896400,` +
		`"iss":"bench","jti":"8f1e0b7c2d3a4f5e6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f",` +
		`"nbf":1763896400,"sans":["abc-c32-1.bench.test"],"sha":"0123456789abcdef0123456789abcdef",` +
		`"sub":"abc-c32-1.bench.test"}`)
	for _, v := range []struct {
		name string
		fn   func([]byte) error
	}{{"decoder", checkDuplicatesDecoder}, {"scanner", checkDuplicates}} {
		b.Run(v.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := v.fn(payload); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
