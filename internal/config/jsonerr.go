// Package config reads, validates and writes Stride's configuration files in
// step-ca's schema: ca.json, defaults.json and the contexts files. It is a
// leaf: it imports nothing of Stride and reads no environment variables.
package config

import (
	"encoding/json"
	"errors"
	"fmt"
)

// jsonError turns a decoding error into one that names the file and the line,
// so "corrupt ca.json" says where.
func jsonError(path string, data []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		// Offset counts the offending byte; point at it, not past it.
		line, col := lineCol(data, max(se.Offset-1, 0))
		return fmt.Errorf("%s:%d:%d: invalid JSON: %v", path, line, col, se)
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "value"
		}
		if te.Offset < 0 {
			// Raised by one of our own UnmarshalJSON methods, which cannot
			// know where they are in the file; the decoder filled the path.
			return fmt.Errorf("%s: field %q: cannot use JSON %s as %s", path, field, te.Value, te.Type)
		}
		line, col := lineCol(data, te.Offset)
		return fmt.Errorf("%s:%d:%d: field %q: cannot use JSON %s as %s", path, line, col, field, te.Value, te.Type)
	default:
		return fmt.Errorf("%s: %w", path, err)
	}
}

func lineCol(data []byte, offset int64) (line, col int) {
	line, col = 1, 1
	for i := int64(0); i < offset && i < int64(len(data)); i++ {
		if data[i] == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}
