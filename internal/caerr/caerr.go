// Package caerr is the CA core's typed error: a kind the HTTP edge maps to a
// status (api/errors.go), a message safe to show the requester, and the
// underlying cause, which is logged and never sent. It is a leaf.
package caerr

import (
	"errors"
	"fmt"
)

// Kind classifies what went wrong, from the requester's point of view.
type Kind int

const (
	// Internal: the CA failed; the requester can do nothing (500).
	Internal Kind = iota
	// BadRequest: malformed or missing input (400).
	BadRequest
	// Unauthorized: the credential (token, certificate) is not acceptable (401).
	Unauthorized
	// Forbidden: authenticated, but the request is not allowed (403).
	Forbidden
	// NotFound: the thing asked for does not exist (404).
	NotFound
	// NotImplemented: the CA does not offer this (501).
	NotImplemented
	// Unavailable: the CA cannot take the request now, e.g. storage is down (503).
	Unavailable
)

func (k Kind) String() string {
	switch k {
	case BadRequest:
		return "bad request"
	case Unauthorized:
		return "unauthorized"
	case Forbidden:
		return "forbidden"
	case NotFound:
		return "not found"
	case NotImplemented:
		return "not implemented"
	case Unavailable:
		return "unavailable"
	}
	return "internal"
}

// Error is a CA error. Msg is shown to the requester; Err is only logged.
type Error struct {
	Kind Kind
	Msg  string
	Err  error
}

func (e *Error) Error() string {
	switch {
	case e.Err != nil && e.Msg != "":
		return e.Msg + ": " + e.Err.Error()
	case e.Err != nil:
		return e.Err.Error()
	}
	return e.Msg
}

func (e *Error) Unwrap() error { return e.Err }

func newf(k Kind, format string, args ...any) *Error {
	return &Error{Kind: k, Msg: fmt.Sprintf(format, args...)}
}

// Constructors; the message is what the requester reads, so make it actionable.
func BadRequestf(format string, args ...any) *Error     { return newf(BadRequest, format, args...) }
func Unauthorizedf(format string, args ...any) *Error   { return newf(Unauthorized, format, args...) }
func Forbiddenf(format string, args ...any) *Error      { return newf(Forbidden, format, args...) }
func NotFoundf(format string, args ...any) *Error       { return newf(NotFound, format, args...) }
func NotImplementedf(format string, args ...any) *Error { return newf(NotImplemented, format, args...) }

// Wrap attaches a cause (logged, not shown) to a kind and message.
func Wrap(k Kind, err error, format string, args ...any) *Error {
	return &Error{Kind: k, Msg: fmt.Sprintf(format, args...), Err: err}
}

// KindOf returns the kind of err: Internal unless it is (or wraps) an *Error.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// Message returns the requester-facing message of err, "" for internal errors.
func Message(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Kind != Internal {
		return e.Msg
	}
	return ""
}
