package config

import (
	"encoding/json"
	"reflect"
)

// CAConfig is ca.json, field for field in step-ca's schema (reference §3.1).
// Members Stride does not know are kept in Extra and written back.
type CAConfig struct {
	Root             Roots       `json:"root"`
	FederatedRoots   []string    `json:"federatedRoots"`
	IntermediateCert string      `json:"crt"`
	IntermediateKey  string      `json:"key"`
	Address          string      `json:"address"`
	InsecureAddress  string      `json:"insecureAddress"`
	DNSNames         []string    `json:"dnsNames"`
	KMS              *KMS        `json:"kms,omitempty"`
	SSH              *SSH        `json:"ssh,omitempty"`
	Logger           *Logger     `json:"logger,omitempty"`
	DB               *DB         `json:"db,omitempty"`
	Monitoring       *Monitoring `json:"monitoring,omitempty"`
	Authority        *Authority  `json:"authority,omitempty"`
	TLS              *TLS        `json:"tls,omitempty"`
	Password         string      `json:"password,omitempty"`
	Templates        *Templates  `json:"templates,omitempty"`
	CommonName       string      `json:"commonName,omitempty"`
	CRL              *CRL        `json:"crl,omitempty"`
	MetricsAddress   string      `json:"metricsAddress,omitempty"`
	// ACMETestPorts (Stride only, test-only) sends ACME validations to other
	// ports than the RFC's 80 and 443, so tests need no privileged ports.
	ACMETestPorts *ACMETestPorts `json:"acmeTestPorts,omitempty"`
	// ACMEAlternateChains (Stride only) are the alternate chains ACME
	// offers with every certificate (RFC 8555 §7.4.2, Link rel="alternate"):
	// each is a list of PEM files whose certificates, in order, follow the
	// leaf; the first must be a cross-certificate of the "crt" issuer
	// (same subject and key, another signer). See docs/operations.md.
	ACMEAlternateChains [][]string `json:"acmeAlternateChains,omitempty"`
	Extra               Extra      `json:"-"`

	// Path is the file the config was read from: errors name it, and
	// relative paths inside are resolved by callers against $STRIDEPATH.
	Path string `json:"-"`
}

func (c CAConfig) MarshalJSON() ([]byte, error) {
	type plain CAConfig
	return marshalWithExtra(plain(c), c.Extra)
}

// ACMETestPorts are the ports ACME validation connects to instead of the
// standard ones: http01 for http-01 (80), tlsalpn01 for tls-alpn-01 (443).
// Zero keeps the standard port. Test-only: a real client cannot be asked
// to answer elsewhere.
type ACMETestPorts struct {
	HTTP01    int `json:"http01,omitempty"`
	TLSALPN01 int `json:"tlsalpn01,omitempty"`
}

// Roots is the "root" member: one path as a string or several as an array.
// The form read is the form written back (Array), so a file edited by
// Stride diffs only where it changed.
type Roots struct {
	Paths []string
	Array bool // written as an array even with a single path
}

// First returns "the" root (the first), or "".
func (r Roots) First() string {
	if len(r.Paths) == 0 {
		return ""
	}
	return r.Paths[0]
}

func (r Roots) MarshalJSON() ([]byte, error) {
	if !r.Array && len(r.Paths) <= 1 {
		return json.Marshal(r.First())
	}
	if r.Paths == nil {
		return []byte("[]"), nil
	}
	return json.Marshal(r.Paths)
}

func (r *Roots) UnmarshalJSON(b []byte) error {
	switch jsonKind(b) {
	case "null":
		*r = Roots{}
		return nil
	case "string":
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*r = Roots{}
		if s != "" {
			r.Paths = []string{s}
		}
		return nil
	case "array":
		var list []string
		if err := json.Unmarshal(b, &list); err != nil {
			return &json.UnmarshalTypeError{Value: "array with a non-string", Type: reflect.TypeOf(r).Elem(), Offset: -1}
		}
		*r = Roots{Paths: list, Array: true}
		return nil
	default:
		return &json.UnmarshalTypeError{Value: jsonKind(b), Type: reflect.TypeOf(r).Elem(), Offset: -1}
	}
}

// KMS selects the key backend (reference §10.5).
type KMS struct {
	Type             string `json:"type,omitempty"`
	URI              string `json:"uri,omitempty"`
	Pin              string `json:"pin,omitempty"`
	ManagementKey    string `json:"managementKey,omitempty"`
	Region           string `json:"region,omitempty"`
	Profile          string `json:"profile,omitempty"`
	CredentialsFile  string `json:"credentialsFile,omitempty"`
	StorageDirectory string `json:"storageDirectory,omitempty"`
	Extra            Extra  `json:"-"`
}

func (k KMS) MarshalJSON() ([]byte, error) {
	type plain KMS
	return marshalWithExtra(plain(k), k.Extra)
}

// DB types step-ca accepts, and "" for running without a database.
const (
	DBTypeBolt       = "bbolt"
	DBTypeBadger     = "badger"
	DBTypeBadgerV1   = "badgerv1"
	DBTypeBadgerV2   = "badgerv2"
	DBTypePostgreSQL = "postgresql"
	DBTypeMySQL      = "mysql"
)

// DB is the database section (reference §7).
type DB struct {
	Type                  string `json:"type"`
	DataSource            string `json:"dataSource"`
	ValueDir              string `json:"valueDir,omitempty"`
	Database              string `json:"database,omitempty"`
	BadgerFileLoadingMode string `json:"badgerFileLoadingMode"`
	Extra                 Extra  `json:"-"`
}

func (d DB) MarshalJSON() ([]byte, error) {
	type plain DB
	return marshalWithExtra(plain(d), d.Extra)
}

// TLSVersion is written as the JSON number step uses: 1.0, 1.1, 1.2, 1.3.
type TLSVersion float64

// Valid reports whether v is one of the four versions (or 0, unset).
func (v TLSVersion) Valid() bool {
	switch v {
	case 0, 1.0, 1.1, 1.2, 1.3:
		return true
	}
	return false
}

// TLS holds the options of the CA's HTTPS listener.
type TLS struct {
	CipherSuites  []string   `json:"cipherSuites"`
	MinVersion    TLSVersion `json:"minVersion"`
	MaxVersion    TLSVersion `json:"maxVersion"`
	Renegotiation bool       `json:"renegotiation"`
	Extra         Extra      `json:"-"`
}

func (t TLS) MarshalJSON() ([]byte, error) {
	type plain TLS
	return marshalWithExtra(plain(t), t.Extra)
}
