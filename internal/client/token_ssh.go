package client

import (
	"errors"
	"time"
)

// Audience paths of SSH tokens: signing, and (JWK tokens without a step
// claim, subject the certificate's serial for revoke) revoking, renewing and
// rekeying an SSH certificate.
const (
	AudienceSSHSign   = "/1.0/ssh/sign"
	AudienceSSHRevoke = "/1.0/ssh/revoke"
	AudienceSSHRenew  = "/1.0/ssh/renew"
	AudienceSSHRekey  = "/1.0/ssh/rekey"
)

// SSH certificate types of the step.ssh claim.
const (
	SSHUserCert = "user"
	SSHHostCert = "host"
)

// SSHSignClaim is the "step" claim of an SSH sign token (reference §2.1):
// {"ssh":{"certType","keyID","principals","validAfter","validBefore"}}.
// principals is never null (an empty list leaves the choice to the CA);
// validAfter/validBefore are the certificate's bounds as SSHTimeText makes
// them, "" for the CA's defaults.
func SSHSignClaim(certType, keyID string, principals []string, validAfter, validBefore string) (map[string]any, error) {
	if certType != SSHUserCert && certType != SSHHostCert {
		return nil, errors.New("an SSH certificate is of type user or host")
	}
	if principals == nil {
		principals = []string{}
	}
	return map[string]any{"ssh": map[string]any{
		"certType":    certType,
		"keyID":       keyID,
		"principals":  principals,
		"validAfter":  validAfter,
		"validBefore": validBefore,
	}}, nil
}

// SSHTimeText normalizes a time|duration flag the way the step claim
// carries it: an RFC 3339 time in UTC, or a duration in Go's canonical form
// (90m → 1h30m0s); "" stays "". Durations stay relative: the CA resolves
// them when it signs.
func SSHTimeText(v string) (string, error) {
	if v == "" {
		return "", nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC().Format(time.RFC3339), nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return "", errors.New("neither an RFC 3339 time nor a duration")
	}
	return d.String(), nil
}
