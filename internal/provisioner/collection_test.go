package provisioner

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	gojose "github.com/go-jose/go-jose/v4"

	"github.com/stride-pki/stride/internal/caerr"
	"github.com/stride-pki/stride/internal/config"
	"github.com/stride-pki/stride/internal/template"
)

func TestLookup(t *testing.T) {
	f := newFixture(t)
	jwk, _ := f.coll.ByName(jwkName)
	x5c, _ := f.coll.ByName(x5cName)
	notFound := "provisioner not found or invalid audience"
	cases := []struct {
		name  string
		token func(t *testing.T) string
		want  Provisioner
		kind  caerr.Kind
		msg   string
	}{
		{name: "JWK by iss and kid", token: func(t *testing.T) string { return f.jwkToken(t, nil) }, want: jwk},
		{name: "X5C by fragment", token: func(t *testing.T) string {
			return f.x5cToken(t, f.x5cKey, []*x509.Certificate{f.x5cLeaf}, nil)
		}, want: x5c},
		{name: "unknown provisioner", token: func(t *testing.T) string {
			return f.jwkToken(t, func(c map[string]any) { c["iss"] = "nobody" })
		}, kind: caerr.Unauthorized, msg: notFound},
		{name: "unknown kid", token: func(t *testing.T) string {
			return mint(t, gojose.ES256, f.jwkKey, map[string]any{"kid": "nope"}, signClaims(jwkName, caURL+"/1.0/sign"))
		}, kind: caerr.Unauthorized, msg: notFound},
		{name: "foreign audience", token: func(t *testing.T) string {
			return f.jwkToken(t, func(c map[string]any) { c["aud"] = "https://idp.example.com" })
		}, kind: caerr.Unauthorized, msg: notFound},
		{name: "fragment of a listed provisioner", token: func(t *testing.T) string {
			return f.jwkToken(t, func(c map[string]any) { c["aud"] = caURL + "/1.0/sign#acme/acme" })
		}, kind: caerr.Unauthorized, msg: notFound},
		{name: "OIDC client ID is not routed yet", token: func(t *testing.T) string {
			return f.jwkToken(t, func(c map[string]any) { c["aud"] = "client-id" })
		}, kind: caerr.Unauthorized, msg: notFound},
		{name: "oversized", token: func(*testing.T) string { return strings.Repeat("a.", 20000) },
			kind: caerr.Unauthorized, msg: "invalid token: larger than 32768 bytes"},
		{name: "malformed", token: func(*testing.T) string { return "a.b" },
			kind: caerr.Unauthorized, msg: "invalid token: not a compact JWS (want three dot-separated parts)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := f.coll.Lookup(tc.token(t))
			wantErr(t, err, tc.kind, tc.msg)
			if err == nil && p != tc.want {
				t.Errorf("Lookup = %v, want %v", p.Name(), tc.want.Name())
			}
		})
	}
}

func TestCollectionIndexes(t *testing.T) {
	f := newFixture(t)
	ids := map[string]string{
		jwkName: jwkName + ":" + f.kid, x5cName: "x5c/" + x5cName,
		"acme": "acme/acme", "sshpop": "sshpop/sshpop", "google": "client-id",
	}
	for name, id := range ids {
		p, ok := f.coll.ByName(name)
		if !ok || p.ID() != id {
			t.Errorf("ByName(%q) = %v, %v; want ID %q", name, p, ok, id)
			continue
		}
		if q, ok := f.coll.ByID(id); !ok || q != p {
			t.Errorf("ByID(%q) = %v, %v", id, q, ok)
		}
	}
	if k, ok := f.coll.EncryptedKey(f.kid); !ok || k != encrypts {
		t.Errorf("EncryptedKey = %q, %v", k, ok)
	}
	if _, ok := f.coll.EncryptedKey("nope"); ok {
		t.Error("EncryptedKey of an unknown kid")
	}
	if n := len(f.coll.All()); n != 5 {
		t.Errorf("All has %d provisioners", n)
	}
}

func TestForCertificate(t *testing.T) {
	f := newFixture(t)
	jwk, _ := f.coll.ByName(jwkName)
	withExt := func(typ template.ProvisionerType, name string) *x509.Certificate {
		ext, err := template.ProvisionerExtension{Type: typ, Name: name, CredentialID: f.kid}.Extension()
		if err != nil {
			t.Fatal(err)
		}
		return &x509.Certificate{Extensions: []pkix.Extension{ext}}
	}
	cases := []struct {
		name string
		cert *x509.Certificate
		want Provisioner
	}{
		{"by name", withExt(template.ProvisionerTypeJWK, jwkName), jwk},
		{"unknown name", withExt(template.ProvisionerTypeJWK, "gone"), nil},
		{"name reused by another type", withExt(template.ProvisionerTypeOIDC, jwkName), nil},
		{"no extension", &x509.Certificate{}, nil},
		{"garbled extension", &x509.Certificate{Extensions: []pkix.Extension{{Id: template.OIDProvisionerExtension, Value: []byte{1}}}}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, ok := f.coll.ForCertificate(tc.cert)
			if ok != (tc.want != nil) || p != tc.want {
				t.Errorf("ForCertificate = %v, %v", p, ok)
			}
		})
	}
}

func TestList(t *testing.T) {
	var provs []config.Provisioner
	for i := range 130 {
		provs = append(provs, mustProv(t, config.ProvisionerCommon{Type: "ACME", Name: fmt.Sprintf("acme-%03d", i)}))
	}
	coll, err := NewCollection(provs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name       string
		limit      int
		wantSizes  []int
		firstNames []string
	}{
		{name: "default limit", limit: 0, wantSizes: []int{20, 20, 20, 20, 20, 20, 10}},
		{name: "limit 50", limit: 50, wantSizes: []int{50, 50, 30}},
		{name: "limit capped at 100", limit: 1000, wantSizes: []int{100, 30}},
		{name: "limit 130 is one capped page", limit: 130, wantSizes: []int{100, 30}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var sizes []int
			var names []string
			cursor := ""
			for {
				page, next, err := coll.List(cursor, tc.limit)
				if err != nil {
					t.Fatal(err)
				}
				sizes = append(sizes, len(page))
				for _, p := range page {
					names = append(names, p.Name())
				}
				if next == "" {
					break
				}
				cursor = next
			}
			if fmt.Sprint(sizes) != fmt.Sprint(tc.wantSizes) {
				t.Errorf("pages %v, want %v", sizes, tc.wantSizes)
			}
			for i, n := range names {
				if n != fmt.Sprintf("acme-%03d", i) {
					t.Fatalf("item %d is %q: order not kept or item repeated", i, n)
				}
			}
		})
	}
	_, _, err = coll.List("!!not-a-cursor", 10)
	wantErr(t, err, caerr.BadRequest, `invalid cursor "!!not-a-cursor"`)
	page, next, err := coll.List(encodeCursor(500), 10)
	if err != nil || len(page) != 0 || next != "" {
		t.Errorf("cursor past the end: %v %q %v", page, next, err)
	}
}

func TestListKeepsConfigJSON(t *testing.T) {
	f := newFixture(t)
	page, _, err := f.coll.List("", 0)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(page[0])
	if !strings.Contains(string(b), `"encryptedKey":"`+encrypts+`"`) {
		t.Errorf("listed JWK lacks its encryptedKey: %s", b)
	}
	if page[2].Type() != "ACME" {
		t.Errorf("listed-only types must be listed: %v", page[2].Type())
	}
}

func TestNewCollectionErrors(t *testing.T) {
	jwk := publicJWK(t)
	cases := []struct {
		name  string
		provs []config.Provisioner
		msg   string
	}{
		{"duplicate name", []config.Provisioner{
			mustProv(t, config.ProvisionerCommon{Type: "ACME", Name: "a"}),
			mustProv(t, config.ProvisionerCommon{Type: "SCEP", Name: "a"}),
		}, `duplicate provisioner name "a"`},
		{"duplicate id", []config.Provisioner{
			mustProv(t, config.ProvisionerCommon{Type: "K8sSA", Name: "a"}),
			mustProv(t, config.ProvisionerCommon{Type: "K8sSA", Name: "b"}),
		}, `duplicate provisioner id "k8ssa/k8sSA-default" (provisioner "b")`},
		{"missing name", []config.Provisioner{mustProv(t, config.ProvisionerCommon{Type: "ACME"})}, "missing name"},
		{"JWK without key", []config.Provisioner{mustProv(t, config.ProvisionerCommon{Type: "JWK", Name: "j"})}, "missing key"},
		{"JWK alg not fitting the key", []config.Provisioner{mustProv(t, config.ProvisionerCommon{Type: "JWK", Name: "j"},
			config.JWKFields{Key: withAlg(t, jwk, "RS256")})}, `key: key algorithm "RS256" does not fit the key (ES256)`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewCollection(tc.provs, Options{})
			if err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("err = %v, want %q", err, tc.msg)
			}
		})
	}
	c, err := NewCollection([]config.Provisioner{mustProv(t, map[string]string{"type": "Vault", "name": "v"})}, Options{})
	if err != nil || len(c.All()) != 0 {
		t.Errorf("unknown types must be skipped: %v, %v", c, err)
	}
}

func withAlg(t *testing.T, key json.RawMessage, alg string) json.RawMessage {
	var m map[string]any
	if err := json.Unmarshal(key, &m); err != nil {
		t.Fatal(err)
	}
	m["alg"] = alg
	b, _ := json.Marshal(m)
	return b
}
