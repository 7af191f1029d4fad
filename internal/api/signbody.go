package api

import (
	"bytes"
	"encoding/json"
	"strings"
)

// decodeFast reads the /sign body step's clients send — one flat object of
// ASCII strings — without encoding/json's reflection and its second
// pass over the CSR and the token, a twentieth of the server's CPU per
// certificate. It answers false, leaving s untouched, for anything else
// (\u escapes, non-ASCII, a templateData other than null, duplicate or unknown members,
// keys that match only case-insensitively), and decodeJSON then hands the
// body to encoding/json, whose answer (and error) stands.
// FuzzSignBodyFast holds it to encoding/json.
func (s *signBody) decodeFast(b []byte) bool {
	l := lexer{b: b}
	var out signBody
	var seen [5]bool
	if !l.eat('{') {
		return false
	}
	for first := true; !l.eat('}'); first = false {
		if !first && !l.eat(',') {
			return false
		}
		key, ok := l.str()
		if !ok || !l.eat(':') {
			return false
		}
		i := fieldIndex(string(key))
		if i < 0 || seen[i] || !out.setField(i, &l) {
			return false
		}
		seen[i] = true
	}
	l.space()
	if l.i != len(b) {
		return false
	}
	*s = out
	return true
}

// fieldIndex is the index of an exact member name, -1 for any other.
func fieldIndex(key string) int {
	switch key {
	case "csr":
		return 0
	case "ott":
		return 1
	case "notBefore":
		return 2
	case "notAfter":
		return 3
	case "templateData":
		return 4
	}
	return -1
}

// setField reads member i's value. null is read as encoding/json reads it:
// a string stays "", a json.RawMessage becomes the bytes "null". Any other
// templateData value is left to encoding/json.
func (out *signBody) setField(i int, l *lexer) bool {
	if l.null() {
		if i == 4 {
			out.TemplateData = json.RawMessage("null")
		}
		return true
	}
	if i == 4 {
		return false
	}
	v, ok := l.value()
	switch i {
	case 0:
		out.CSR = v
	case 1:
		out.OTT = v
	case 2:
		out.NotBefore = v
	case 3:
		out.NotAfter = v
	}
	return ok
}

// lexer walks JSON tokens for decodeFast.
type lexer struct {
	b []byte
	i int
}

// space skips JSON whitespace.
func (l *lexer) space() {
	for l.i < len(l.b) {
		switch l.b[l.i] {
		case ' ', '\t', '\n', '\r':
			l.i++
		default:
			return
		}
	}
}

// null skips whitespace and then the literal null, if it is next.
func (l *lexer) null() bool {
	l.space()
	if bytes.HasPrefix(l.b[l.i:], []byte("null")) {
		l.i += 4
		return true
	}
	return false
}

// eat skips whitespace and then c, if c is next.
func (l *lexer) eat(c byte) bool {
	l.space()
	if l.i < len(l.b) && l.b[l.i] == c {
		l.i++
		return true
	}
	return false
}

// str reads a string of printable ASCII without escapes (a member name).
// Anything else, which encoding/json validates, rewrites or unescapes, is
// refused.
func (l *lexer) str() ([]byte, bool) {
	if !l.eat('"') {
		return nil, false
	}
	start := l.i
	for ; l.i < len(l.b); l.i++ {
		switch c := l.b[l.i]; {
		case c == '"':
			l.i++
			return l.b[start : l.i-1], true
		case c < 0x20 || c >= 0x80 || c == '\\':
			return nil, false
		}
	}
	return nil, false
}

// value reads a string value of printable ASCII whose only escapes are the
// one-character ones (a PEM's \n); \u escapes, control characters and
// non-ASCII bytes are refused. The first pass finds the end and the length,
// so the string is built in one allocation.
func (l *lexer) value() (string, bool) {
	if !l.eat('"') {
		return "", false
	}
	start, n := l.i, 0
	for ; l.i < len(l.b) && l.b[l.i] != '"'; l.i, n = l.i+1, n+1 {
		c := l.b[l.i]
		if c < 0x20 || c >= 0x80 {
			return "", false
		}
		if c == '\\' {
			if l.i++; l.i == len(l.b) || unescaped(l.b[l.i]) == 0 {
				return "", false
			}
		}
	}
	if l.i == len(l.b) {
		return "", false
	}
	raw := l.b[start:l.i]
	l.i++
	if n == len(raw) {
		return string(raw), true
	}
	var sb strings.Builder
	sb.Grow(n)
	for i := 0; i < len(raw); i++ {
		if raw[i] == '\\' {
			i++
			sb.WriteByte(unescaped(raw[i]))
		} else {
			sb.WriteByte(raw[i])
		}
	}
	return sb.String(), true
}

// unescaped is what JSON's one-character escape \c stands for, 0 for a
// letter that is not one (\u included).
func unescaped(c byte) byte {
	switch c {
	case '"', '\\', '/':
		return c
	case 'b':
		return '\b'
	case 'f':
		return '\f'
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	}
	return 0
}
