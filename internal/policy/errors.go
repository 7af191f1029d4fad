package policy

import (
	"fmt"
)

// NameType is the kind of name a rule or a requested name is. Its string form
// is the word step-ca uses in its error messages and in ca.json.
type NameType string

const (
	CommonName NameType = "cn"
	DNS        NameType = "dns"
	IP         NameType = "ip"
	Email      NameType = "email"
	URI        NameType = "uri"
	Principal  NameType = "principal"
)

// Reason says why a name was refused. It is for logs and tests; the
// requester sees only Error(), which is the same for every reason, as in
// step-ca.
type Reason int

const (
	// Denied: a deny rule matched.
	Denied Reason = iota + 1
	// NotPermitted: allow rules exist for the name's type and none matched.
	NotPermitted
	// NotExplicitlyPermitted: no rule of the name's type exists, but allow
	// rules of other types do, so the policy is a whitelist the name is not on.
	NotExplicitlyPermitted
	// WildcardNotAllowed: a literal "*." name was requested and the X.509
	// policy does not set allowWildcardNames.
	WildcardNotAllowed
	// Malformed: the name cannot be parsed as its type, so no rule can be
	// trusted to judge it.
	Malformed
	// IPHostNotAllowed: a URI whose host is an IP address; URI rules are
	// domains only.
	IPHostNotAllowed
	// UnsupportedType: the name's type cannot appear here (a URI as an SSH
	// host principal).
	UnsupportedType
	// CertTypeNotAllowed: the SSH policy has rules only for the other
	// certificate type (user vs host), so this type is not allowed at all.
	CertTypeNotAllowed
	// NoPrincipals: an SSH certificate without principals is valid for every
	// principal, which no policy can vouch for.
	NoPrincipals
)

var reasonText = map[Reason]string{
	Denied:                 "matches a deny rule",
	NotPermitted:           "matches no allow rule",
	NotExplicitlyPermitted: "not explicitly permitted: the policy has allow rules only for other name types",
	WildcardNotAllowed:     "wildcard names are not allowed (allowWildcardNames is false)",
	Malformed:              "cannot be parsed",
	IPHostNotAllowed:       "URI hosts must be domain names, not IP addresses",
	UnsupportedType:        "this name type is not allowed here",
	CertTypeNotAllowed:     "the policy has no rules for this certificate type, only for the other one",
	NoPrincipals:           "a certificate without principals is valid for any principal",
}

func (r Reason) String() string {
	if s, ok := reasonText[r]; ok {
		return s
	}
	return fmt.Sprintf("reason(%d)", int(r))
}

// NamePolicyError reports a name the policy refuses. Error() is step-ca's
// wording exactly; Detail() adds the reason for logs.
type NamePolicyError struct {
	Type   NameType
	Name   string
	Reason Reason
	// Err is the parse error behind a Malformed name, if any.
	Err error
}

// Error is `<type> name "<name>" not allowed`. %q keeps control characters
// in a requested name from reaching logs and responses raw.
func (e *NamePolicyError) Error() string {
	return fmt.Sprintf("%s name %q not allowed", e.Type, e.Name)
}

// Detail is Error() with the reason, for the log line the requester never sees.
func (e *NamePolicyError) Detail() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Error(), e.Reason, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Error(), e.Reason)
}

func (e *NamePolicyError) Unwrap() error { return e.Err }

func refuse(t NameType, name string, r Reason) *NamePolicyError {
	return &NamePolicyError{Type: t, Name: name, Reason: r}
}

func malformed(t NameType, name string, err error) *NamePolicyError {
	return &NamePolicyError{Type: t, Name: name, Reason: Malformed, Err: err}
}
