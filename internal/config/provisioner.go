package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
)

// Provisioner types as step spells them; ca.json may use any letter case.
const (
	ProvisionerJWK    = "JWK"
	ProvisionerOIDC   = "OIDC"
	ProvisionerGCP    = "GCP"
	ProvisionerAWS    = "AWS"
	ProvisionerAzure  = "Azure"
	ProvisionerACME   = "ACME"
	ProvisionerX5C    = "X5C"
	ProvisionerK8sSA  = "K8sSA"
	ProvisionerSSHPOP = "SSHPOP"
	ProvisionerSCEP   = "SCEP"
	ProvisionerNebula = "Nebula"
)

var provisionerTypes = []string{
	ProvisionerJWK, ProvisionerOIDC, ProvisionerGCP, ProvisionerAWS, ProvisionerAzure, ProvisionerACME,
	ProvisionerX5C, ProvisionerK8sSA, ProvisionerSSHPOP, ProvisionerSCEP, ProvisionerNebula,
}

// CanonicalProvisionerType returns step's spelling of a provisioner type
// written in any case, and false for a type step does not know (step-ca
// skips those at runtime; Stride keeps them in the file).
func CanonicalProvisionerType(s string) (string, bool) {
	for _, t := range provisionerTypes {
		if strings.EqualFold(s, t) {
			return t, true
		}
	}
	return s, false
}

// Provisioner is one entry of authority.provisioners, kept as the JSON
// object it was read as: each provisioner type has its own members and
// Stride must write back those it does not model. Typed views are read with
// Decode (or the helpers below) and written with Set; a package that models
// a new type declares its own view struct and uses the same two calls.
type Provisioner struct {
	raw json.RawMessage // always a JSON object once set
}

// NewProvisioner builds a provisioner from views, merged in order.
func NewProvisioner(views ...any) (Provisioner, error) {
	p := Provisioner{raw: json.RawMessage("{}")}
	for _, v := range views {
		if err := p.Set(v); err != nil {
			return Provisioner{}, err
		}
	}
	return p, nil
}

// Raw returns the provisioner's JSON object.
func (p Provisioner) Raw() json.RawMessage {
	if len(p.raw) == 0 {
		return json.RawMessage("{}")
	}
	return p.raw
}

func (p Provisioner) MarshalJSON() ([]byte, error) { return p.Raw(), nil }

func (p *Provisioner) UnmarshalJSON(b []byte) error {
	if k := jsonKind(b); k != "object" {
		return &json.UnmarshalTypeError{Value: k, Type: reflect.TypeOf(p).Elem(), Offset: -1}
	}
	p.raw = append(json.RawMessage(nil), b...)
	return nil
}

// Decode reads the provisioner into a view struct; members the view lacks
// go to the Extra of its nested config structs, as in Parse.
func (p Provisioner) Decode(view any) error {
	if err := json.Unmarshal(p.Raw(), view); err != nil {
		return err
	}
	fillExtra(p.Raw(), reflect.ValueOf(view))
	return nil
}

// Set merges the members view marshals into the provisioner: existing ones
// are replaced in place, new ones appended, all others left as they were.
// Members the view omits (omitempty) are not removed; use Delete for that.
func (p *Provisioner) Set(view any) error {
	b, err := json.Marshal(view)
	if err != nil {
		return fmt.Errorf("provisioner: %w", err)
	}
	add, err := parseObject(b)
	if err != nil {
		return fmt.Errorf("provisioner: view must marshal to an object: %w", err)
	}
	cur, err := parseObject(p.Raw())
	if err != nil {
		return fmt.Errorf("provisioner: %w", err)
	}
	for _, m := range add {
		if i := indexOf(cur, m.key); i >= 0 {
			cur[i].val = m.val
		} else {
			cur = append(cur, m)
		}
	}
	p.raw = writeObject(cur)
	return nil
}

// Delete removes members by name.
func (p *Provisioner) Delete(keys ...string) error {
	cur, err := parseObject(p.Raw())
	if err != nil {
		return fmt.Errorf("provisioner: %w", err)
	}
	for _, k := range keys {
		if i := indexOf(cur, k); i >= 0 {
			cur = append(cur[:i], cur[i+1:]...)
		}
	}
	p.raw = writeObject(cur)
	return nil
}

// Type returns the provisioner's type in step's spelling when known, as
// written otherwise, and "" when absent or not a string.
func (p Provisioner) Type() string {
	var v struct {
		Type string `json:"type"`
	}
	_ = json.Unmarshal(p.Raw(), &v)
	t, _ := CanonicalProvisionerType(v.Type)
	return t
}

// Name returns the provisioner's name, "" when absent or not a string.
func (p Provisioner) Name() string {
	var v struct {
		Name string `json:"name"`
	}
	_ = json.Unmarshal(p.Raw(), &v)
	return v.Name
}

type member struct {
	key string
	val json.RawMessage
}

// parseObject splits a JSON object into its members, in order.
func parseObject(b []byte) ([]member, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("not a JSON object")
	}
	var out []member
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		out = append(out, member{key: t.(string), val: v})
	}
	return out, nil
}

func writeObject(ms []member) json.RawMessage {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, m := range ms {
		if i > 0 {
			buf.WriteByte(',')
		}
		k, _ := json.Marshal(m.key)
		buf.Write(k)
		buf.WriteByte(':')
		buf.Write(m.val)
	}
	buf.WriteByte('}')
	return buf.Bytes()
}

func indexOf(ms []member, key string) int {
	for i, m := range ms {
		if m.key == key {
			return i
		}
	}
	return -1
}
