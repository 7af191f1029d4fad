package certcmd

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net"
	"slices"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// extensionsJSON is step's "extensions" object; its field order is step's.
type extensionsJSON struct {
	KeyUsage              orderedObject       `json:"key_usage,omitempty"`
	BasicConstraints      *basicConsJSON      `json:"basic_constraints,omitempty"`
	SubjectAltName        *generalNamesJSON   `json:"subject_alt_name,omitempty"`
	NameConstraints       *nameConsJSON       `json:"name_constraints,omitempty"`
	CRLDistributionPoints []string            `json:"crl_distribution_points,omitempty"`
	AuthKeyID             string              `json:"authority_key_id,omitempty"`
	SubjectKeyID          string              `json:"subject_key_id,omitempty"`
	ExtendedKeyUsage      orderedObject       `json:"extended_key_usage,omitempty"`
	CertificatePolicies   []map[string]string `json:"certificate_policies,omitempty"`
	AuthorityInfoAccess   *aiaJSON            `json:"authority_info_access,omitempty"`
	StepProvisioner       map[string]string   `json:"step_provisioner,omitempty"`
}

type basicConsJSON struct {
	IsCA       bool `json:"is_ca"`
	MaxPathLen *int `json:"max_path_len,omitempty"`
}

type generalNamesJSON struct {
	DNSNames       []string `json:"dns_names,omitempty"`
	EmailAddresses []string `json:"email_addresses,omitempty"`
	IPAddresses    []string `json:"ip_addresses,omitempty"`
	URIs           []string `json:"uniform_resource_identifiers,omitempty"`
}

type aiaJSON struct {
	OCSPServer            []string `json:"ocsp_urls,omitempty"`
	IssuingCertificateURL []string `json:"issuer_urls,omitempty"`
}

type subtreeIPJSON struct {
	CIDR  string `json:"cidr,omitempty"`
	Begin string `json:"begin,omitempty"`
	End   string `json:"end,omitempty"`
	Mask  string `json:"mask,omitempty"`
}

type nameConsJSON struct {
	Critical                bool            `json:"critical"`
	PermittedDNSNames       []string        `json:"permitted_names,omitempty"`
	PermittedEmailAddresses []string        `json:"permitted_email_addresses,omitempty"`
	PermittedIPAddresses    []subtreeIPJSON `json:"permitted_ip_addresses,omitempty"`
	ExcludedDNSNames        []string        `json:"excluded_names,omitempty"`
	ExcludedEmailAddresses  []string        `json:"excluded_email_addresses,omitempty"`
	ExcludedIPAddresses     []subtreeIPJSON `json:"excluded_ip_addresses,omitempty"`
}

// extensionsOf splits c's extensions into those step names and the rest.
func extensionsOf(c *x509.Certificate) (*extensionsJSON, []unknownExtJSON) {
	e := &extensionsJSON{}
	var unknown []unknownExtJSON
	named := false
	for _, ext := range c.Extensions {
		if !knownExtension(ext.Id) {
			unknown = append(unknown, unknownExtJSON{ID: ext.Id.String(), Critical: ext.Critical, Value: ext.Value})
			continue
		}
		named = true
		fillExtension(e, c, ext.Id)
	}
	if !named {
		return nil, unknown
	}
	return e, unknown
}

func fillExtension(e *extensionsJSON, c *x509.Certificate, id asn1.ObjectIdentifier) {
	switch {
	case id.Equal(oidKeyUsage):
		e.KeyUsage = keyUsageJSON(c.KeyUsage)
	case id.Equal(oidBasicConstraints):
		e.BasicConstraints = &basicConsJSON{IsCA: c.IsCA}
		if c.MaxPathLen > 0 || c.MaxPathLen == 0 && c.MaxPathLenZero {
			n := c.MaxPathLen
			e.BasicConstraints.MaxPathLen = &n
		}
	case id.Equal(oidSAN):
		e.SubjectAltName = sanJSON(c)
	case id.Equal(oidNameConstraints):
		e.NameConstraints = nameConstraintsJSON(c)
	case id.Equal(oidCRLDP):
		e.CRLDistributionPoints = c.CRLDistributionPoints
	case id.Equal(oidAKI):
		e.AuthKeyID = hex.EncodeToString(c.AuthorityKeyId)
	case id.Equal(oidSKI):
		e.SubjectKeyID = hex.EncodeToString(c.SubjectKeyId)
	case id.Equal(oidEKU):
		e.ExtendedKeyUsage = ekuJSON(c)
	case id.Equal(oidPolicies):
		for _, p := range c.PolicyIdentifiers {
			e.CertificatePolicies = append(e.CertificatePolicies, map[string]string{"id": p.String()})
		}
	case id.Equal(oidAIA):
		e.AuthorityInfoAccess = &aiaJSON{OCSPServer: c.OCSPServer, IssuingCertificateURL: c.IssuingCertificateURL}
	case id.Equal(oidStepProvisioner):
		if p := findProvisioner(c); p != nil {
			e.StepProvisioner = p.jsonMap()
		}
	}
}

func keyUsageJSON(ku x509.KeyUsage) orderedObject {
	var o orderedObject
	for _, b := range keyUsageBits {
		if ku&b.bit != 0 {
			o = append(o, member{b.json, true})
		}
	}
	return append(o, member{"value", uint32(ku)})
}

func sanJSON(c *x509.Certificate) *generalNamesJSON {
	g := &generalNamesJSON{DNSNames: c.DNSNames, EmailAddresses: c.EmailAddresses}
	for _, ip := range c.IPAddresses {
		g.IPAddresses = append(g.IPAddresses, ip.String())
	}
	for _, u := range c.URIs {
		g.URIs = append(g.URIs, u.String())
	}
	return g
}

func ekuJSON(c *x509.Certificate) orderedObject {
	o := orderedObject{}
	for _, u := range ekuJSONOrder {
		if slices.Contains(c.ExtKeyUsage, u) {
			o = append(o, member{ekuNames[u].json, true})
		}
	}
	var unknown []string
	for _, u := range c.ExtKeyUsage {
		if oid, ok := ekuOIDs[u]; ok {
			unknown = append(unknown, oid)
		}
	}
	for _, oid := range c.UnknownExtKeyUsage {
		unknown = append(unknown, oid.String())
	}
	if len(unknown) > 0 {
		o = append(o, member{"unknown", unknown})
	}
	return o
}

// member is one key of an orderedObject.
type member struct {
	key   string
	value any
}

// orderedObject is a JSON object whose keys keep their order, for the parts
// of step's JSON that are structs (not maps) on its side.
type orderedObject []member

func (o orderedObject) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			buf.WriteByte(',')
		}
		k, err := json.Marshal(m.key)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(m.value)
		if err != nil {
			return nil, err
		}
		buf.Write(k)
		buf.WriteByte(':')
		buf.Write(v)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// nameConstraintsJSON matches step's JSON, which reports "critical": false
// whatever the extension says and leaves URI constraints out; the text form
// shows both correctly.
func nameConstraintsJSON(c *x509.Certificate) *nameConsJSON {
	return &nameConsJSON{
		PermittedDNSNames:       c.PermittedDNSDomains,
		PermittedEmailAddresses: c.PermittedEmailAddresses,
		PermittedIPAddresses:    subtreesJSON(c.PermittedIPRanges),
		ExcludedDNSNames:        c.ExcludedDNSDomains,
		ExcludedEmailAddresses:  c.ExcludedEmailAddresses,
		ExcludedIPAddresses:     subtreesJSON(c.ExcludedIPRanges),
	}
}

// subtreesJSON renders IP ranges as CIDR, first and last address and mask.
func subtreesJSON(nets []*net.IPNet) []subtreeIPJSON {
	var out []subtreeIPJSON
	for _, n := range nets {
		end := make(net.IP, len(n.IP))
		for i := range n.IP {
			end[i] = n.IP[i] | ^n.Mask[i]
		}
		out = append(out, subtreeIPJSON{CIDR: n.String(), Begin: n.IP.String(), End: end.String(), Mask: net.IP(n.Mask).String()})
	}
	return out
}

// tbsWithoutCT is the to-be-signed certificate without the CT poison and SCT
// list extensions: what step's tbs_noct_fingerprint hashes. Certificates
// without them (all a private CA issues) hash their TBS unchanged.
func tbsWithoutCT(c *x509.Certificate) []byte {
	poison := asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 11129, 2, 4, 3}
	scts := asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 11129, 2, 4, 2}
	hasCT := false
	for _, e := range c.Extensions {
		if e.Id.Equal(poison) || e.Id.Equal(scts) {
			hasCT = true
		}
	}
	if !hasCT {
		return c.RawTBSCertificate
	}
	out, err := stripTBSExtensions(c.RawTBSCertificate, poison, scts)
	if err != nil {
		return c.RawTBSCertificate
	}
	return out
}

// stripTBSExtensions re-encodes a TBSCertificate without the extensions whose
// OIDs are given, keeping every other element byte for byte.
func stripTBSExtensions(tbs []byte, drop ...asn1.ObjectIdentifier) ([]byte, error) {
	in := cryptobyte.String(tbs)
	var body cryptobyte.String
	if !in.ReadASN1(&body, cbasn1.SEQUENCE) {
		return nil, errors.New("malformed TBSCertificate")
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(seq *cryptobyte.Builder) {
		for !body.Empty() {
			var elem cryptobyte.String
			var tag cbasn1.Tag
			if !body.ReadAnyASN1Element(&elem, &tag) {
				seq.SetError(errors.New("malformed TBSCertificate element"))
				return
			}
			if tag != cbasn1.Tag(3).Constructed().ContextSpecific() {
				seq.AddBytes(elem)
				continue
			}
			seq.AddASN1(tag, func(ctx *cryptobyte.Builder) {
				addKeptExtensions(ctx, elem, tag, drop)
			})
		}
	})
	return b.Bytes()
}

func addKeptExtensions(b *cryptobyte.Builder, elem cryptobyte.String, tag cbasn1.Tag, drop []asn1.ObjectIdentifier) {
	var inner, exts cryptobyte.String
	if !elem.ReadASN1(&inner, tag) || !inner.ReadASN1(&exts, cbasn1.SEQUENCE) {
		b.SetError(errors.New("malformed extensions"))
		return
	}
	b.AddASN1(cbasn1.SEQUENCE, func(seq *cryptobyte.Builder) {
		for !exts.Empty() {
			var ext, outer, body cryptobyte.String
			var oid asn1.ObjectIdentifier
			if !exts.ReadASN1Element(&ext, cbasn1.SEQUENCE) {
				seq.SetError(errors.New("malformed extension"))
				return
			}
			outer = ext
			if !outer.ReadASN1(&body, cbasn1.SEQUENCE) || !body.ReadASN1ObjectIdentifier(&oid) {
				seq.SetError(errors.New("malformed extension"))
				return
			}
			if !slices.ContainsFunc(drop, oid.Equal) {
				seq.AddBytes(ext)
			}
		}
	})
}
