package provisioner

import (
	"context"
	"crypto/x509"
	"strings"
	"testing"

	"github.com/stride-pki/stride/internal/caerr"
	"github.com/stride-pki/stride/internal/config"
)

func TestX5CAuthorizeSign(t *testing.T) {
	f := newFixture(t)
	other := newTestCA(t, "Other Root")
	otherKey := newKey(t)
	otherLeaf := other.issue(t, "client", otherKey.Public(), x509.KeyUsageDigitalSignature, x509.ExtKeyUsageClientAuth)
	noKUKey := newKey(t)
	noKU := f.x5cRoot.issue(t, "client", noKUKey.Public(), x509.KeyUsageKeyEncipherment, x509.ExtKeyUsageClientAuth)
	serverKey := newKey(t)
	serverOnly := f.x5cRoot.issue(t, "client", serverKey.Public(), x509.KeyUsageDigitalSignature, x509.ExtKeyUsageServerAuth)

	cases := []struct {
		name  string
		token func(t *testing.T) string
		kind  caerr.Kind
		msg   string
	}{
		{name: "valid", token: func(t *testing.T) string {
			return f.x5cToken(t, f.x5cKey, []*x509.Certificate{f.x5cLeaf}, nil)
		}},
		{name: "valid without port", token: func(t *testing.T) string {
			return f.x5cToken(t, f.x5cKey, []*x509.Certificate{f.x5cLeaf}, func(c map[string]any) {
				c["aud"] = "https://ca.example.com/sign#x5c/" + x5cName
			})
		}},
		{name: "chain from another root", token: func(t *testing.T) string {
			return f.x5cToken(t, otherKey, []*x509.Certificate{otherLeaf}, nil)
		}, kind: caerr.Unauthorized, msg: "invalid token: the x5c certificate does not verify against the provisioner roots"},
		{name: "leaf without digitalSignature", token: func(t *testing.T) string {
			return f.x5cToken(t, noKUKey, []*x509.Certificate{noKU}, nil)
		}, kind: caerr.Unauthorized, msg: "invalid token: the x5c certificate lacks the digitalSignature key usage"},
		{name: "leaf without clientAuth", token: func(t *testing.T) string {
			return f.x5cToken(t, serverKey, []*x509.Certificate{serverOnly}, nil)
		}, kind: caerr.Unauthorized, msg: "invalid token: the x5c certificate does not verify against the provisioner roots"},
		{name: "signed by another key", token: func(t *testing.T) string {
			return f.x5cToken(t, newKey(t), []*x509.Certificate{f.x5cLeaf}, nil)
		}, kind: caerr.Unauthorized, msg: "invalid token: the signature does not verify"},
		{name: "no x5c header", token: func(t *testing.T) string {
			return f.x5cToken(t, f.x5cKey, nil, nil)
		}, kind: caerr.Unauthorized, msg: `invalid token: header "x5c" is missing`},
		{name: "without fragment", token: func(t *testing.T) string {
			return f.x5cToken(t, f.x5cKey, []*x509.Certificate{f.x5cLeaf}, func(c map[string]any) { c["aud"] = caURL + "/1.0/sign" })
		}, kind: caerr.Unauthorized, msg: "invalid token: audience not accepted for sign"},
		{name: "fragment of another provisioner", token: func(t *testing.T) string {
			return f.x5cToken(t, f.x5cKey, []*x509.Certificate{f.x5cLeaf}, func(c map[string]any) { c["aud"] = caURL + "/1.0/sign#x5c/other" })
		}, kind: caerr.Unauthorized, msg: "invalid token: audience not accepted for sign"},
		{name: "wrong iss", token: func(t *testing.T) string {
			return f.x5cToken(t, f.x5cKey, []*x509.Certificate{f.x5cLeaf}, func(c map[string]any) { c["iss"] = jwkName })
		}, kind: caerr.Unauthorized, msg: `invalid token: issuer "admin@example.com" is not provisioner "x5c-prov"`},
	}
	p, ok := f.coll.ByName(x5cName)
	if !ok {
		t.Fatal("no X5C provisioner")
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tok := tc.token(t)
			a, err := p.AuthorizeSign(context.Background(), tok)
			wantErr(t, err, tc.kind, tc.msg)
			if err != nil {
				return
			}
			if a.AuthorizationCrt == nil || !a.AuthorizationCrt.Equal(f.x5cLeaf) || len(a.AuthorizationChain) != 1 {
				t.Errorf("authorization certificate not carried: %+v", a)
			}
			if a.Token.ID != "x5c/"+x5cName+"#"+testJTI {
				t.Errorf("token ID %q", a.Token.ID)
			}
			if got, err := f.coll.Lookup(tok); err != nil || got != p {
				t.Errorf("Lookup = %v, %v", got, err)
			}
		})
	}
}

func TestX5CAuthorizeRevoke(t *testing.T) {
	f := newFixture(t)
	p, _ := f.coll.ByName(x5cName)
	tok := f.x5cToken(t, f.x5cKey, []*x509.Certificate{f.x5cLeaf}, func(c map[string]any) {
		c["aud"], c["sub"] = caURL+"/1.0/revoke#x5c/"+x5cName, "42"
	})
	a, err := p.AuthorizeRevoke(context.Background(), tok)
	if err != nil || a.Serial != "42" {
		t.Fatalf("AuthorizeRevoke = %+v, %v", a, err)
	}
	_, err = p.AuthorizeSign(context.Background(), tok)
	wantErr(t, err, caerr.Unauthorized, "invalid token: audience not accepted for sign")
}

func TestX5CConfig(t *testing.T) {
	_, err := NewCollection([]config.Provisioner{
		mustProv(t, config.ProvisionerCommon{Type: "X5C", Name: "x"}, config.X5CFields{Roots: []byte("not pem")}),
	}, Options{})
	if err == nil || !strings.Contains(err.Error(), "no PEM certificate") {
		t.Fatalf("err = %v", err)
	}
}
