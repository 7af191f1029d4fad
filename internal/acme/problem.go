package acme

import (
	"errors"
	"fmt"
)

// ProblemType is an ACME error type (RFC 8555 §6.7), the full URN.
type ProblemType string

const problemNS = "urn:ietf:params:acme:error:"

// The problem types of RFC 8555 §6.7 this server raises.
const (
	ProbAccountDoesNotExist     ProblemType = problemNS + "accountDoesNotExist"
	ProbAlreadyRevoked          ProblemType = problemNS + "alreadyRevoked"
	ProbBadCSR                  ProblemType = problemNS + "badCSR"
	ProbBadNonce                ProblemType = problemNS + "badNonce"
	ProbBadPublicKey            ProblemType = problemNS + "badPublicKey"
	ProbBadRevocationReason     ProblemType = problemNS + "badRevocationReason"
	ProbBadSignatureAlgorithm   ProblemType = problemNS + "badSignatureAlgorithm"
	ProbCAA                     ProblemType = problemNS + "caa"
	ProbCompound                ProblemType = problemNS + "compound"
	ProbConnection              ProblemType = problemNS + "connection"
	ProbDNS                     ProblemType = problemNS + "dns"
	ProbExternalAccountRequired ProblemType = problemNS + "externalAccountRequired"
	ProbIncorrectResponse       ProblemType = problemNS + "incorrectResponse"
	ProbInvalidContact          ProblemType = problemNS + "invalidContact"
	ProbMalformed               ProblemType = problemNS + "malformed"
	ProbOrderNotReady           ProblemType = problemNS + "orderNotReady"
	ProbRateLimited             ProblemType = problemNS + "rateLimited"
	ProbRejectedIdentifier      ProblemType = problemNS + "rejectedIdentifier"
	ProbServerInternal          ProblemType = problemNS + "serverInternal"
	ProbTLS                     ProblemType = problemNS + "tls"
	ProbUnauthorized            ProblemType = problemNS + "unauthorized"
	ProbUnsupportedContact      ProblemType = problemNS + "unsupportedContact"
	ProbUnsupportedIdentifier   ProblemType = problemNS + "unsupportedIdentifier"
	ProbUserActionRequired      ProblemType = problemNS + "userActionRequired"
)

// Problem is an ACME problem document (RFC 7807, RFC 8555 §6.7) and the
// core's error type: every Service method fails with a *Problem (or a
// context error). The HTTP status is the edge's choice, from Type (and
// NotFound); Cause is logged, never sent.
type Problem struct {
	Type        ProblemType  `json:"type"`
	Detail      string       `json:"detail,omitempty"`
	Status      int          `json:"status,omitempty"` // filled by the edge
	Subproblems []Subproblem `json:"subproblems,omitempty"`
	// Algorithms lists the JWS algorithms the server accepts; RFC 8555
	// §6.2 requires it on badSignatureAlgorithm so a client can switch.
	Algorithms []string `json:"algorithms,omitempty"`
	// Missing marks "no such resource" (malformed, answered 404 by the edge).
	Missing bool  `json:"-"`
	Cause   error `json:"-"`
}

// Subproblem is one identifier's problem within a compound one (RFC 8555 §6.7.1).
type Subproblem struct {
	Type       ProblemType `json:"type"`
	Detail     string      `json:"detail,omitempty"`
	Identifier *Identifier `json:"identifier,omitempty"`
}

func (p *Problem) Error() string {
	if p.Cause != nil {
		return fmt.Sprintf("%s: %s: %v", p.Type, p.Detail, p.Cause)
	}
	return string(p.Type) + ": " + p.Detail
}

func (p *Problem) Unwrap() error { return p.Cause }

// problemf makes a Problem with a formatted detail.
func problemf(t ProblemType, format string, args ...any) *Problem {
	return &Problem{Type: t, Detail: fmt.Sprintf(format, args...)}
}

// Malformedf is a malformed-request Problem; the edge uses it too.
func Malformedf(format string, args ...any) *Problem { return problemf(ProbMalformed, format, args...) }

// notFoundf is a "no such resource" Problem.
func notFoundf(format string, args ...any) *Problem {
	p := problemf(ProbMalformed, format, args...)
	p.Missing = true
	return p
}

// internal wraps a storage or signing failure; the cause is only logged.
func internal(err error, what string) *Problem {
	return &Problem{Type: ProbServerInternal, Detail: "the server failed " + what, Cause: err}
}

// AsProblem returns err as a Problem: itself when it is one, else an
// internal error (context errors included).
func AsProblem(err error) *Problem {
	var p *Problem
	if errors.As(err, &p) {
		return p
	}
	return internal(err, "to process the request")
}
