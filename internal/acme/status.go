package acme

// Status is an ACME object's status (RFC 8555 §7.1.6). Storage keeps it as
// a plain string; its meaning lives here.
type Status string

// The statuses of accounts, orders, authorizations and challenges.
const (
	StatusPending     Status = "pending"
	StatusReady       Status = "ready"
	StatusProcessing  Status = "processing"
	StatusValid       Status = "valid"
	StatusInvalid     Status = "invalid"
	StatusDeactivated Status = "deactivated"
	StatusExpired     Status = "expired"
	StatusRevoked     Status = "revoked"
)

// ChallengeType names a validation method (RFC 8555 §8, RFC 8737).
type ChallengeType string

// The challenge types this server validates.
const (
	HTTP01    ChallengeType = "http-01"
	DNS01     ChallengeType = "dns-01"
	TLSALPN01 ChallengeType = "tls-alpn-01"
)

// IdentifierType is an order identifier's type.
type IdentifierType string

// The identifier types this server issues for: DNS names (RFC 8555 §9.7.7)
// and IP addresses (RFC 8738).
const (
	IdentifierDNS IdentifierType = "dns"
	IdentifierIP  IdentifierType = "ip"
)
