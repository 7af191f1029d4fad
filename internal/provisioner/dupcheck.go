package provisioner

import (
	"encoding/json"
	"errors"
	"fmt"
	"unicode"
)

// checkDuplicates fails on an object with two members whose names are equal
// ignoring case: encoding/json matches names case-insensitively and keeps
// the last, so {"exp":1,"EXP":9e9} would let a parser differential decide
// what a token means.
//
// b must be valid JSON (decodeSegment checks json.Valid first), so a plain
// byte scanner is enough to find member names. It replaced a walk with
// json.Decoder.Token, which allocated per token and cost 3% of /sign's CPU;
// TestCheckDuplicatesMatchesDecoder and FuzzCheckDuplicates hold it to the
// decoder walk's answers.
func checkDuplicates(b []byte) error {
	d := dupScanner{b: b}
	if err := d.value(); err != nil {
		return err
	}
	if d.skipSpace(); d.i != len(d.b) {
		return errors.New("trailing data")
	}
	return nil
}

var errMalformed = errors.New("malformed JSON")

type dupScanner struct {
	b []byte
	i int
}

func (d *dupScanner) skipSpace() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\r', '\n':
			d.i++
		default:
			return
		}
	}
}

func (d *dupScanner) value() error {
	d.skipSpace()
	if d.i >= len(d.b) {
		return errMalformed
	}
	switch d.b[d.i] {
	case '{':
		return d.object()
	case '[':
		return d.array()
	case '"':
		_, _, err := d.str()
		return err
	}
	for d.i < len(d.b) { // number or literal: up to the next delimiter
		switch d.b[d.i] {
		case ',', ']', '}', ' ', '\t', '\r', '\n':
			return nil
		}
		d.i++
	}
	return nil
}

// str reads a string at d.i and returns its raw bytes (quotes included) and
// whether it contains an escape.
func (d *dupScanner) str() (raw []byte, escaped bool, err error) {
	start := d.i
	for d.i++; d.i < len(d.b); d.i++ {
		switch d.b[d.i] {
		case '\\':
			escaped = true
			d.i++
		case '"':
			d.i++
			return d.b[start:d.i], escaped, nil
		}
	}
	return nil, false, errMalformed
}

func (d *dupScanner) object() error {
	d.i++ // '{'
	var seen map[string]bool
	for first := true; ; first = false {
		d.skipSpace()
		if d.i >= len(d.b) {
			return errMalformed
		}
		if d.b[d.i] == '}' && first {
			d.i++
			return nil
		}
		if d.b[d.i] != '"' {
			return errMalformed
		}
		name, err := d.name()
		if err != nil {
			return err
		}
		key := foldKey(name)
		if seen[key] {
			return fmt.Errorf("duplicate member %q", name)
		}
		if seen == nil {
			seen = map[string]bool{}
		}
		seen[key] = true
		if d.skipSpace(); d.i >= len(d.b) || d.b[d.i] != ':' {
			return errMalformed
		}
		d.i++
		if err := d.value(); err != nil {
			return err
		}
		if d.skipSpace(); d.i >= len(d.b) {
			return errMalformed
		}
		switch d.b[d.i] {
		case ',':
			d.i++
		case '}':
			d.i++
			return nil
		default:
			return errMalformed
		}
	}
}

// name reads a member name as encoding/json decodes it: escapes resolved
// by encoding/json itself, so "\u0065xp" is "exp" here too.
func (d *dupScanner) name() (string, error) {
	raw, escaped, err := d.str()
	if err != nil || !escaped {
		return string(raw[1 : len(raw)-1]), err
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", err
	}
	return s, nil
}

func (d *dupScanner) array() error {
	d.i++ // '['
	for first := true; ; first = false {
		d.skipSpace()
		if d.i >= len(d.b) {
			return errMalformed
		}
		if d.b[d.i] == ']' && first {
			d.i++
			return nil
		}
		if err := d.value(); err != nil {
			return err
		}
		if d.skipSpace(); d.i >= len(d.b) {
			return errMalformed
		}
		switch d.b[d.i] {
		case ',':
			d.i++
		case ']':
			d.i++
			return nil
		default:
			return errMalformed
		}
	}
}

// foldKey maps every rune to the smallest member of its Unicode case-folding
// orbit, so that names encoding/json would confuse (including "K" and the
// Kelvin sign, "s" and the long s) fold to the same key. For ASCII that
// member is the upper-case letter (the orbits' other members, such as the
// Kelvin sign, are above 0x7F), which spares the usual all-ASCII names the
// rune-by-rune walk.
func foldKey(s string) string {
	ascii, lower := true, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		ascii = ascii && c < 0x80
		lower = lower || ('a' <= c && c <= 'z')
	}
	switch {
	case ascii && !lower:
		return s
	case ascii:
		b := []byte(s)
		for i, c := range b {
			if 'a' <= c && c <= 'z' {
				b[i] = c - ('a' - 'A')
			}
		}
		return string(b)
	}
	out := make([]rune, 0, len(s))
	for _, r := range s {
		min := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if f < min {
				min = f
			}
		}
		out = append(out, min)
	}
	return string(out)
}
