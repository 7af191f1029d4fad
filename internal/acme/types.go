package acme

import (
	"encoding/json"
	"time"

	"github.com/stride-pki/stride/internal/storage"
)

// Identifier is an order or authorization identifier (RFC 8555 §9.7.7).
type Identifier struct {
	Type  IdentifierType `json:"type"`
	Value string         `json:"value"`
}

// Directory is the directory object (RFC 8555 §7.1.1). KeyChange,
// RenewalInfo (RFC 9773) and Meta.Profiles are filled only when their
// handlers exist.
type Directory struct {
	NewNonce    string         `json:"newNonce"`
	NewAccount  string         `json:"newAccount"`
	NewOrder    string         `json:"newOrder"`
	RevokeCert  string         `json:"revokeCert"`
	KeyChange   string         `json:"keyChange,omitempty"`
	RenewalInfo string         `json:"renewalInfo,omitempty"`
	Meta        *DirectoryMeta `json:"meta,omitempty"`
}

// DirectoryMeta is the directory's meta object (RFC 8555 §7.1.1).
type DirectoryMeta struct {
	TermsOfService          string            `json:"termsOfService,omitempty"`
	Website                 string            `json:"website,omitempty"`
	CAAIdentities           []string          `json:"caaIdentities,omitempty"`
	ExternalAccountRequired bool              `json:"externalAccountRequired,omitempty"`
	Profiles                map[string]string `json:"profiles,omitempty"`
}

// Account is the account object (RFC 8555 §7.1.2).
type Account struct {
	Status                 Status          `json:"status"`
	Contact                []string        `json:"contact,omitempty"`
	TermsOfServiceAgreed   bool            `json:"termsOfServiceAgreed,omitempty"`
	ExternalAccountBinding json.RawMessage `json:"externalAccountBinding,omitempty"`
	Orders                 string          `json:"orders"`
}

// Order is the order object (RFC 8555 §7.1.3).
type Order struct {
	Status         Status       `json:"status"`
	Expires        string       `json:"expires,omitempty"`
	Identifiers    []Identifier `json:"identifiers"`
	NotBefore      string       `json:"notBefore,omitempty"`
	NotAfter       string       `json:"notAfter,omitempty"`
	Error          *Problem     `json:"error,omitempty"`
	Authorizations []string     `json:"authorizations"`
	Finalize       string       `json:"finalize"`
	Certificate    string       `json:"certificate,omitempty"`
	// Profile (draft-aaron-acme-profiles) and Replaces (RFC 9773 §5) echo
	// the new-order's members as accepted.
	Profile  string `json:"profile,omitempty"`
	Replaces string `json:"replaces,omitempty"`
}

// OrderList is an account's orders list (RFC 8555 §7.1.2.1). step-ca
// answers a bare array instead; Stride follows the RFC.
type OrderList struct {
	Orders []string `json:"orders"`
}

// Authorization is the authorization object (RFC 8555 §7.1.4).
type Authorization struct {
	Identifier Identifier  `json:"identifier"`
	Status     Status      `json:"status"`
	Expires    string      `json:"expires,omitempty"`
	Challenges []Challenge `json:"challenges"`
	Wildcard   bool        `json:"wildcard,omitempty"`
}

// Challenge is a challenge object (RFC 8555 §7.1.5, §8).
type Challenge struct {
	Type      ChallengeType `json:"type"`
	URL       string        `json:"url"`
	Status    Status        `json:"status"`
	Token     string        `json:"token"`
	Validated string        `json:"validated,omitempty"`
	Error     *Problem      `json:"error,omitempty"`
}

// Links builds the absolute URLs of a request's resources; the edge
// implements it from the request's scheme and Host.
type Links interface {
	Account(id string) string
	Orders(accountID string) string
	Order(id string) string
	Finalize(orderID string) string
	Authz(id string) string
	Challenge(authzID, challengeID string) string
	Certificate(serial string) string
}

func timeJSON(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// decodeProblem reads a stored problem document; a corrupt one is dropped.
func decodeProblem(b []byte) *Problem {
	if len(b) == 0 {
		return nil
	}
	var p Problem
	if json.Unmarshal(b, &p) != nil {
		return nil
	}
	return &p
}

func encodeProblem(p *Problem) []byte {
	b, _ := json.Marshal(p)
	return b
}

// AccountJSON renders an account.
func AccountJSON(a *storage.ACMEAccount, l Links) Account {
	return Account{Status: Status(a.Status), Contact: a.Contact, Orders: l.Orders(a.ID)}
}

// OrderJSON renders an order.
func OrderJSON(o *storage.ACMEOrder, l Links) Order {
	out := Order{Status: Status(o.Status), Expires: timeJSON(o.ExpiresAt), NotBefore: timeJSON(o.NotBefore),
		NotAfter: timeJSON(o.NotAfter), Error: decodeProblem(o.Error), Finalize: l.Finalize(o.ID),
		Profile: o.Profile, Replaces: o.Replaces,
		Identifiers: make([]Identifier, 0, len(o.Identifiers)), Authorizations: make([]string, 0, len(o.AuthzIDs))}
	for _, id := range o.Identifiers {
		out.Identifiers = append(out.Identifiers, Identifier{Type: IdentifierType(id.Type), Value: id.Value})
	}
	for _, id := range o.AuthzIDs {
		out.Authorizations = append(out.Authorizations, l.Authz(id))
	}
	if o.Status == string(StatusValid) && o.CertificateSerial != "" {
		out.Certificate = l.Certificate(o.CertificateSerial)
	}
	return out
}

// AuthorizationJSON renders an authorization with its challenges.
func AuthorizationJSON(a *storage.ACMEAuthz, l Links) Authorization {
	out := Authorization{Identifier: Identifier{Type: IdentifierType(a.Identifier.Type), Value: a.Identifier.Value},
		Status: Status(a.Status), Expires: timeJSON(a.ExpiresAt), Wildcard: a.Wildcard,
		Challenges: make([]Challenge, 0, len(a.Challenges))}
	for i := range a.Challenges {
		out.Challenges = append(out.Challenges, ChallengeJSON(a, &a.Challenges[i], l))
	}
	return out
}

// ChallengeJSON renders one challenge of authz.
func ChallengeJSON(authz *storage.ACMEAuthz, c *storage.ACMEChallenge, l Links) Challenge {
	return Challenge{Type: ChallengeType(c.Type), URL: l.Challenge(authz.ID, c.ID), Status: Status(c.Status),
		Token: authz.Token, Validated: timeJSON(c.ValidatedAt), Error: decodeProblem(c.Error)}
}
