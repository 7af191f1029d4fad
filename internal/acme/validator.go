package acme

import (
	"context"
	"errors"
	"strings"
)

// Validator performs the network checks of the challenges (RFC 8555 §8,
// RFC 8737, RFC 8738). validation.Validator implements it; the server
// plugs it in. Every method honours ctx's deadline and is safe for
// concurrent use. identType is "dns" or "ip"; keyAuthorization is
// token "." thumbprint (§8.1).
type Validator interface {
	HTTP01(ctx context.Context, identType, value, token, keyAuthorization string) error
	// DNS01 checks the TXT record of _acme-challenge.<domain> (domain
	// without the wildcard label).
	DNS01(ctx context.Context, domain, keyAuthorization string) error
	TLSALPN01(ctx context.Context, identType, value, keyAuthorization string) error
	// CAA checks the CAA records of domain for issuerDomains (RFC 8659).
	CAA(ctx context.Context, domain string, wildcard bool, issuerDomains []string) error
}

// ValidationError is how a Validator reports a failed check: Type is an
// ACME error type (the full URN, or its last part such as "connection"),
// Detail is safe to show the client, Retryable says whether a later
// attempt may succeed (a timeout, a missing record) or not (a wrong
// answer). Errors of another type count as retryable connection problems.
type ValidationError struct {
	Type      string
	Detail    string
	Retryable bool
}

func (e *ValidationError) Error() string { return e.Type + ": " + e.Detail }

// ValidationErrorMapper turns a Validator's own error type into a
// ValidationError (nil when err is not of that type). The server sets it to
// read *validation.Error, whose fields are the same, so this package does
// not depend on the validator's.
type ValidationErrorMapper func(err error) *ValidationError

// classify returns the Problem a failed validation leaves on the challenge
// and whether trying again makes sense.
func classify(err error, mapErr ValidationErrorMapper) (*Problem, bool) {
	var ve *ValidationError
	if !errors.As(err, &ve) && mapErr != nil {
		ve = mapErr(err)
	}
	if ve == nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return problemf(ProbConnection, "the validation timed out"), true
		}
		return problemf(ProbConnection, "the validation failed"), true
	}
	t := ve.Type
	if t == "" {
		t = "connection"
	}
	if !strings.HasPrefix(t, problemNS) {
		t = problemNS + t
	}
	return &Problem{Type: ProblemType(t), Detail: ve.Detail}, ve.Retryable
}
