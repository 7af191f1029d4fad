package acme

import "fmt"

// This file is a stand-in: the ACME core (branch acmecore) owns the
// package's problem type. Until it lands, the extensions (eab, keychange,
// ari, profile) build their errors only through the constructors below, so
// swapping them for the core's is a change to this one file.

// extProblem is an RFC 8555 §6.7 problem: Type is the short name after
// "urn:ietf:params:acme:error:", Status the status the RFC or the
// extension's draft names for it (part of the problem document, RFC 7807),
// Location, when set, the URL a 409 points at (key rollover, §7.3.5).
type extProblem struct {
	Type     string
	Detail   string
	Status   int
	Location string
}

func (p *extProblem) Error() string { return p.Type + ": " + p.Detail }

// Problem types the extensions raise (RFC 8555 §6.7, RFC 9773 §7.4,
// draft-aaron-acme-profiles).
const (
	probMalformed               = "malformed"
	probUnauthorized            = "unauthorized"
	probExternalAccountRequired = "externalAccountRequired"
	probBadSignatureAlgorithm   = "badSignatureAlgorithm"
	probBadPublicKey            = "badPublicKey"
	probRejectedIdentifier      = "rejectedIdentifier"
	probAlreadyReplaced         = "alreadyReplaced"
	probInvalidProfile          = "invalidProfile"
	probServerInternal          = "serverInternal"
)

func newProblem(typ string, status int, format string, args ...any) *extProblem {
	return &extProblem{Type: typ, Status: status, Detail: fmt.Sprintf(format, args...)}
}

func malformedf(format string, args ...any) error {
	return newProblem(probMalformed, 400, format, args...)
}

func unauthorizedf(format string, args ...any) error {
	return newProblem(probUnauthorized, 401, format, args...)
}

// internalf hides the cause from the client (it goes to the log through
// the wrapped error).
func internalf(err error, format string, args ...any) error {
	return &wrappedProblem{extProblem: newProblem(probServerInternal, 500, format, args...), cause: err}
}

// wrappedProblem keeps the cause of a server error for the log.
type wrappedProblem struct {
	*extProblem
	cause error
}

func (w *wrappedProblem) Unwrap() error { return w.cause }
