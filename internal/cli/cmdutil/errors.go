// Package cmdutil holds what every stride command shares: exit codes, error
// formatting, $STRIDEPATH resolution, flag defaults from defaults.json and
// STRIDE_* variables, password input and careful file writing.
package cmdutil

import (
	"errors"
	"fmt"
)

// Exit codes, documented in docs/cli.md.
const (
	ExitOK      = 0
	ExitFailure = 1
	ExitUsage   = 2
)

// UsageError marks a mistake in how a command was called (a missing or invalid
// flag or argument): the process exits with ExitUsage instead of ExitFailure.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// Usagef returns a UsageError with a formatted message.
func Usagef(format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...)}
}

// ExitError asks for a specific exit code, for commands whose code is a
// result (`certificate needs-renewal` exits 1 for "not yet"). Silent ones
// print nothing.
type ExitError struct {
	Code   int
	Err    error
	Silent bool
}

func (e *ExitError) Error() string { return e.Err.Error() }
func (e *ExitError) Unwrap() error { return e.Err }

// IsSilent reports whether err asks not to be printed.
func IsSilent(err error) bool {
	var ee *ExitError
	return errors.As(err, &ee) && ee.Silent
}

// ExitCode maps an error returned by a command to the process exit code.
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	var ue *UsageError
	if errors.As(err, &ue) {
		return ExitUsage
	}
	return ExitFailure
}
