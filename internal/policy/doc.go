// Package policy decides which names a certificate may carry: the allow/deny
// engine behind ca.json's authority.policy (reference §5), with step-ca's
// semantics so that a policy written for step-ca means the same here.
//
// One rule decides every name, whatever its type:
//
//  1. a deny rule that matches rejects the name;
//  2. an allow rule that matches accepts it;
//  3. otherwise the name is rejected if the policy has any allow rule at all
//     (of its own type: "not permitted"; of another type only: "not
//     explicitly permitted"), and accepted if the policy only denies.
//
// A nil or rule-less policy allows everything. Policies are immutable after
// construction and safe for concurrent use; constructors validate every rule,
// so a bad ca.json fails at start-up, not at the first request.
//
// Layering: the authority checks its own policy and then the provisioner's
// (and, for ACME, the account's) by calling each in turn; a name must pass
// all of them, and the first error is the answer. There is no Combine: the
// callers own that order, and a chain of `if err := p.X(...); err != nil`
// says it plainly.
//
// A refusal is a *NamePolicyError; the HTTP edge turns it into step's 403
// ("The request was forbidden by the certificate authority: dns name "x"
// not allowed."). This package picks no status codes.
package policy
