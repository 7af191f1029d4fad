package cmdutil

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// NewKeyPassword decides how a new private key is protected, as step does:
// --no-password (which needs --insecure) writes it in the clear;
// --password-file reads the password; otherwise a terminal is asked twice.
// It returns nil for an unencrypted key.
func NewKeyPassword(in io.Reader, out io.Writer, passwordFile string, noPassword, insecure bool, what string) ([]byte, error) {
	if noPassword {
		if !insecure {
			return nil, Usagef("--no-password writes %s unencrypted: confirm with --insecure", what)
		}
		return nil, nil
	}
	if passwordFile != "" {
		return ReadPasswordFile(passwordFile)
	}
	p := NewPrompter(in, out)
	if p == nil {
		return nil, Usagef("not running on a terminal: pass --password-file to encrypt %s, or --no-password --insecure", what)
	}
	for i := 0; i < 3; i++ {
		pw, err := p.Password("Please enter the password to encrypt " + what)
		if err != nil {
			return nil, err
		}
		if len(pw) == 0 {
			fmt.Fprintln(out, "The password cannot be empty.")
			continue
		}
		again, err := p.Password("Please confirm the password")
		if err != nil {
			return nil, err
		}
		if bytes.Equal(pw, again) {
			return pw, nil
		}
		fmt.Fprintln(out, "The passwords do not match.")
	}
	return nil, errors.New("no password given")
}

// ExistingKeyPassword returns the password for an existing encrypted key:
// from passwordFile, or asked on a terminal; prompt names the key.
func ExistingKeyPassword(in io.Reader, out io.Writer, passwordFile, flag, what string) ([]byte, error) {
	if passwordFile != "" {
		return ReadPasswordFile(passwordFile)
	}
	p := NewPrompter(in, out)
	if p == nil {
		return nil, Usagef("%s is encrypted and this is not a terminal: pass %s", what, flag)
	}
	return p.Password("Please enter the password to decrypt " + what)
}

// ParseTime reads a --not-before/--not-after value: an RFC 3339 time, or a
// Go duration relative to base ("24h", "-5m"). Empty returns the zero time.
func ParseTime(flag, v string, base time.Time) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return time.Time{}, Usagef("--%s %q is neither an RFC 3339 time nor a duration such as 24h", flag, v)
	}
	return base.Add(d), nil
}

// ParseSetFlags turns repeated --set key=value flags into a map; values that
// are valid JSON (numbers, booleans, arrays, objects) keep their type.
func ParseSetFlags(sets []string) (map[string]any, error) {
	out := map[string]any{}
	for _, s := range sets {
		k, v, ok := strings.Cut(s, "=")
		if !ok || k == "" {
			return nil, Usagef("--set %q is not key=value", s)
		}
		out[k] = jsonOrString(v)
	}
	return out, nil
}
