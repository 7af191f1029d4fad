package config

// Policy is authority.policy: which names the CA may sign (reference §5).
// The policy package interprets it; this is only its ca.json form.
type Policy struct {
	X509  *X509Policy `json:"x509,omitempty"`
	SSH   *SSHPolicy  `json:"ssh,omitempty"`
	Extra Extra       `json:"-"`
}

// X509Policy holds the allow and deny rules for X.509 names.
type X509Policy struct {
	Allow              *X509Names `json:"allow,omitempty"`
	Deny               *X509Names `json:"deny,omitempty"`
	AllowWildcardNames bool       `json:"allowWildcardNames,omitempty"`
	Extra              Extra      `json:"-"`
}

// X509Names lists rules per name type.
type X509Names struct {
	CommonNames    []string `json:"cn,omitempty"`
	DNSDomains     []string `json:"dns,omitempty"`
	IPRanges       []string `json:"ip,omitempty"`
	EmailAddresses []string `json:"email,omitempty"`
	URIDomains     []string `json:"uri,omitempty"`
	Extra          Extra    `json:"-"`
}

// SSHPolicy holds the rules for user and host certificates.
type SSHPolicy struct {
	User  *SSHUserPolicy `json:"user,omitempty"`
	Host  *SSHHostPolicy `json:"host,omitempty"`
	Extra Extra          `json:"-"`
}

// SSHUserPolicy: user certificates name emails and principals.
type SSHUserPolicy struct {
	Allow *SSHUserNames `json:"allow,omitempty"`
	Deny  *SSHUserNames `json:"deny,omitempty"`
	Extra Extra         `json:"-"`
}

// SSHUserNames lists user-certificate rules.
type SSHUserNames struct {
	EmailAddresses []string `json:"email,omitempty"`
	Principals     []string `json:"principal,omitempty"`
	Extra          Extra    `json:"-"`
}

// SSHHostPolicy: host certificates name DNS names, IPs and principals.
type SSHHostPolicy struct {
	Allow *SSHHostNames `json:"allow,omitempty"`
	Deny  *SSHHostNames `json:"deny,omitempty"`
	Extra Extra         `json:"-"`
}

// SSHHostNames lists host-certificate rules.
type SSHHostNames struct {
	DNSDomains []string `json:"dns,omitempty"`
	IPRanges   []string `json:"ip,omitempty"`
	Principals []string `json:"principal,omitempty"`
	Extra      Extra    `json:"-"`
}

func (p Policy) MarshalJSON() ([]byte, error) {
	type plain Policy
	return marshalWithExtra(plain(p), p.Extra)
}

func (p X509Policy) MarshalJSON() ([]byte, error) {
	type plain X509Policy
	return marshalWithExtra(plain(p), p.Extra)
}

func (n X509Names) MarshalJSON() ([]byte, error) {
	type plain X509Names
	return marshalWithExtra(plain(n), n.Extra)
}

func (p SSHPolicy) MarshalJSON() ([]byte, error) {
	type plain SSHPolicy
	return marshalWithExtra(plain(p), p.Extra)
}

func (p SSHUserPolicy) MarshalJSON() ([]byte, error) {
	type plain SSHUserPolicy
	return marshalWithExtra(plain(p), p.Extra)
}

func (n SSHUserNames) MarshalJSON() ([]byte, error) {
	type plain SSHUserNames
	return marshalWithExtra(plain(n), n.Extra)
}

func (p SSHHostPolicy) MarshalJSON() ([]byte, error) {
	type plain SSHHostPolicy
	return marshalWithExtra(plain(p), p.Extra)
}

func (n SSHHostNames) MarshalJSON() ([]byte, error) {
	type plain SSHHostNames
	return marshalWithExtra(plain(n), n.Extra)
}
