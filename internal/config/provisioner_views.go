package config

import "encoding/json"

// ProvisionerCommon is the view every provisioner type shares (reference §4).
type ProvisionerCommon struct {
	Type    string              `json:"type"`
	Name    string              `json:"name"`
	Claims  *Claims             `json:"claims,omitempty"`
	Options *ProvisionerOptions `json:"options,omitempty"`
}

// ProvisionerOptions customises what a provisioner's certificates contain.
type ProvisionerOptions struct {
	X509     *TemplateOptions `json:"x509,omitempty"`
	SSH      *TemplateOptions `json:"ssh,omitempty"`
	Webhooks []Webhook        `json:"webhooks,omitempty"`
	Extra    Extra            `json:"-"`
}

func (o ProvisionerOptions) MarshalJSON() ([]byte, error) {
	type plain ProvisionerOptions
	return marshalWithExtra(plain(o), o.Extra)
}

// TemplateOptions selects a certificate template: inline (Template, JSON or
// base64) or from a file relative to $STRIDEPATH, plus data for it.
type TemplateOptions struct {
	Template     string          `json:"template,omitempty"`
	TemplateFile string          `json:"templateFile,omitempty"`
	TemplateData json.RawMessage `json:"templateData,omitempty"`
	Extra        Extra           `json:"-"`
}

func (o TemplateOptions) MarshalJSON() ([]byte, error) {
	type plain TemplateOptions
	return marshalWithExtra(plain(o), o.Extra)
}

// Webhook is one entry of options.webhooks (reference §4.2). Its secret is
// never read from ca.json, as in step-ca.
type Webhook struct {
	ID                   string `json:"id,omitempty"`
	Name                 string `json:"name"`
	URL                  string `json:"url"`
	Kind                 string `json:"kind"`
	DisableTLSClientAuth bool   `json:"disableTLSClientAuth,omitempty"`
	CertType             string `json:"certType,omitempty"`
	Extra                Extra  `json:"-"`
}

func (w Webhook) MarshalJSON() ([]byte, error) {
	type plain Webhook
	return marshalWithExtra(plain(w), w.Extra)
}

// JWKFields is the view of a JWK provisioner: its public key, and the
// private key encrypted with the provisioner password (a compact JWE).
type JWKFields struct {
	Key          json.RawMessage `json:"key"`
	EncryptedKey string          `json:"encryptedKey,omitempty"`
}

// ACMEFields is the view of an ACME provisioner.
type ACMEFields struct {
	ForceCN            bool     `json:"forceCN,omitempty"`
	TermsOfService     string   `json:"termsOfService,omitempty"`
	Website            string   `json:"website,omitempty"`
	CAAIdentities      []string `json:"caaIdentities,omitempty"`
	RequireEAB         bool     `json:"requireEAB,omitempty"`
	Challenges         []string `json:"challenges,omitempty"`
	AttestationFormats []string `json:"attestationFormats,omitempty"`
	AttestationRoots   []byte   `json:"attestationRoots,omitempty"` // PEM; base64 in JSON
	// Profiles and DefaultProfile are Stride's (step-ca has no ACME
	// profiles): the profiles a new-order may name (draft-aaron-acme-profiles),
	// by name, and the one an order that names none gets ("": the
	// provisioner's own template and durations).
	Profiles       map[string]ACMEProfile `json:"profiles,omitempty"`
	DefaultProfile string                 `json:"defaultProfile,omitempty"`
}

// ACMEProfile is one ACME profile: its description (the directory's
// meta.profiles shows it), the X.509 template its certificates use
// (inline JSON or base64, or a file relative to $STRIDEPATH; neither: the
// provisioner's) and their validity (unset: the provisioner's default).
type ACMEProfile struct {
	Description  string    `json:"description,omitempty"`
	Template     string    `json:"template,omitempty"`
	TemplateFile string    `json:"templateFile,omitempty"`
	Duration     *Duration `json:"duration,omitempty"`
	Extra        Extra     `json:"-"`
}

func (p ACMEProfile) MarshalJSON() ([]byte, error) {
	type plain ACMEProfile
	return marshalWithExtra(plain(p), p.Extra)
}

// X5CFields is the view of an X5C provisioner: the roots that client
// certificates must chain to, PEM (base64 of the PEM in JSON).
type X5CFields struct {
	Roots []byte `json:"roots"`
}

// Common decodes the fields every provisioner has.
func (p Provisioner) Common() (ProvisionerCommon, error) {
	var v ProvisionerCommon
	err := p.Decode(&v)
	return v, err
}

// JWK decodes the JWK provisioner fields.
func (p Provisioner) JWK() (JWKFields, error) {
	var v JWKFields
	err := p.Decode(&v)
	return v, err
}

// ACME decodes the ACME provisioner fields.
func (p Provisioner) ACME() (ACMEFields, error) {
	var v ACMEFields
	err := p.Decode(&v)
	return v, err
}

// X5C decodes the X5C provisioner fields.
func (p Provisioner) X5C() (X5CFields, error) {
	var v X5CFields
	err := p.Decode(&v)
	return v, err
}
