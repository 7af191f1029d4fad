package config

import (
	"encoding/json"
	"strings"
	"time"
)

// Authority types (authority.type): softcas signs locally; the others are
// registration-authority modes that forward to another CA (reference §10.4).
const (
	AuthorityTypeSoft     = "softcas"
	AuthorityTypeStep     = "stepcas"
	AuthorityTypeCloud    = "cloudcas"
	AuthorityTypeVault    = "vaultcas"
	AuthorityTypeExternal = "externalcas"
)

// Deployment types (authority.deploymentType), as `step ca init` writes them.
const (
	DeploymentStandalone = "standalone"
	DeploymentLinked     = "linked"
	DeploymentHosted     = "hosted"
)

// Authority is the "authority" object (reference §3.2). The first group of
// fields is the RA (CAS) options step-ca inlines into it.
type Authority struct {
	Type                            string             `json:"type,omitempty"`
	CertificateAuthority            string             `json:"certificateAuthority,omitempty"`
	CertificateAuthorityFingerprint string             `json:"certificateAuthorityFingerprint,omitempty"`
	CertificateIssuer               *CertificateIssuer `json:"certificateIssuer,omitempty"`
	CredentialsFile                 string             `json:"credentialsFile,omitempty"`
	Config                          json.RawMessage    `json:"config,omitempty"` // vaultcas options

	AuthorityID          string        `json:"authorityId,omitempty"`
	DeploymentType       string        `json:"deploymentType,omitempty"`
	Provisioners         []Provisioner `json:"provisioners,omitempty"`
	Template             *ASN1DN       `json:"template,omitempty"`
	Claims               *Claims       `json:"claims,omitempty"`
	Policy               *Policy       `json:"policy,omitempty"`
	DisableIssuedAtCheck bool          `json:"disableIssuedAtCheck,omitempty"`
	Backdate             *Duration     `json:"backdate,omitempty"`
	EnableAdmin          bool          `json:"enableAdmin,omitempty"`
	DisableGetSSHHosts   bool          `json:"disableGetSSHHosts,omitempty"`
	Extra                Extra         `json:"-"`
}

func (a Authority) MarshalJSON() ([]byte, error) {
	type plain Authority
	return marshalWithExtra(plain(a), a.Extra)
}

// IsRA reports whether the authority forwards signing to another CA, in
// which case it holds no root, intermediate or key of its own.
func (a *Authority) IsRA() bool {
	if a == nil {
		return false
	}
	switch strings.ToLower(a.Type) {
	case AuthorityTypeStep, AuthorityTypeCloud, AuthorityTypeVault, AuthorityTypeExternal:
		return true
	}
	return false
}

// BackdateOrDefault returns authority.backdate, or DefaultBackdate when unset.
func (a *Authority) BackdateOrDefault() time.Duration {
	if a == nil || a.Backdate == nil {
		return DefaultBackdate
	}
	return a.Backdate.Std()
}

// CertificateIssuer is how a stepcas RA authenticates to its upstream CA.
type CertificateIssuer struct {
	Type        string `json:"type"` // "jwk" or "x5c"
	Provisioner string `json:"provisioner,omitempty"`
	Certificate string `json:"crt,omitempty"`
	Key         string `json:"key,omitempty"`
	Password    string `json:"password,omitempty"`
	Extra       Extra  `json:"-"`
}

func (c CertificateIssuer) MarshalJSON() ([]byte, error) {
	type plain CertificateIssuer
	return marshalWithExtra(plain(c), c.Extra)
}

// ASN1DN is authority.template: subject attributes filled into leaf
// certificates where their template left them empty.
type ASN1DN struct {
	Country            string `json:"country,omitempty"`
	Organization       string `json:"organization,omitempty"`
	OrganizationalUnit string `json:"organizationalUnit,omitempty"`
	Locality           string `json:"locality,omitempty"`
	Province           string `json:"province,omitempty"`
	StreetAddress      string `json:"streetAddress,omitempty"`
	SerialNumber       string `json:"serialNumber,omitempty"`
	CommonName         string `json:"commonName,omitempty"`
	Extra              Extra  `json:"-"`
}

func (d ASN1DN) MarshalJSON() ([]byte, error) {
	type plain ASN1DN
	return marshalWithExtra(plain(d), d.Extra)
}

// provisionersOrNil lets callers range over a possibly absent authority.
func (a *Authority) provisionersOrNil() []Provisioner {
	if a == nil {
		return nil
	}
	return a.Provisioners
}
