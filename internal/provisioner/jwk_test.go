package provisioner

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	gojose "github.com/go-jose/go-jose/v4"

	"github.com/stride-pki/stride/internal/caerr"
	"github.com/stride-pki/stride/internal/config"
	"github.com/stride-pki/stride/internal/jose"
)

func TestJWKAuthorizeSign(t *testing.T) {
	f := newFixture(t)
	unix := func(d time.Duration) int64 { return testNow.Add(d).Unix() }
	pubJSON, _ := json.Marshal(jose.Public(&jose.JSONWebKey{Key: f.jwkKey, KeyID: f.kid}))
	cases := []struct {
		name  string
		token func(t *testing.T) string
		opts  func(*Options)
		kind  caerr.Kind
		msg   string
	}{
		{name: "valid", token: func(t *testing.T) string { return f.jwkToken(t, nil) }},
		{name: "aud as array", token: func(t *testing.T) string {
			return f.jwkToken(t, func(c map[string]any) { c["aud"] = []string{"https://other/", caURL + "/1.0/sign"} })
		}},
		{name: "aud with another port", token: func(t *testing.T) string {
			return f.jwkToken(t, func(c map[string]any) { c["aud"] = "https://ca.example.com:443/sign" })
		}},
		{name: "aud ipv6", token: func(t *testing.T) string {
			return f.jwkToken(t, func(c map[string]any) { c["aud"] = "https://[::1]:8443/1.0/sign" })
		}},
		{name: "legacy aud", token: func(t *testing.T) string {
			return f.jwkToken(t, func(c map[string]any) { c["aud"] = "step-certificate-authority" })
		}},
		{name: "wrong aud", token: func(t *testing.T) string {
			return f.jwkToken(t, func(c map[string]any) { c["aud"] = caURL + "/1.0/revoke" })
		}, kind: caerr.Unauthorized, msg: "invalid token: audience not accepted for sign"},
		{name: "aud of another host", token: func(t *testing.T) string {
			return f.jwkToken(t, func(c map[string]any) { c["aud"] = "https://evil.example.com/1.0/sign" })
		}, kind: caerr.Unauthorized, msg: "invalid token: audience not accepted for sign"},
		{name: "aud with a fragment", token: func(t *testing.T) string {
			return f.jwkToken(t, func(c map[string]any) { c["aud"] = caURL + "/1.0/sign#x5c/" + x5cName })
		}, kind: caerr.Unauthorized, msg: "invalid token: audience not accepted for sign"},
		{name: "expired", token: func(t *testing.T) string {
			return f.jwkToken(t, func(c map[string]any) { c["exp"] = unix(-61 * time.Second) })
		}, kind: caerr.Unauthorized, msg: "invalid token: token has expired"},
		{name: "expired within leeway", token: func(t *testing.T) string {
			return f.jwkToken(t, func(c map[string]any) { c["exp"] = unix(-59 * time.Second) })
		}},
		{name: "nbf 61s ahead", token: func(t *testing.T) string {
			return f.jwkToken(t, func(c map[string]any) { c["nbf"] = unix(61 * time.Second) })
		}, kind: caerr.Unauthorized, msg: "invalid token: token is not yet valid"},
		{name: "nbf 59s ahead", token: func(t *testing.T) string {
			return f.jwkToken(t, func(c map[string]any) { c["nbf"] = unix(59 * time.Second) })
		}},
		{name: "iat in the future", token: func(t *testing.T) string {
			return f.jwkToken(t, func(c map[string]any) { c["iat"] = unix(2 * time.Minute) })
		}, kind: caerr.Unauthorized, msg: "invalid token: token was issued in the future"},
		{name: "iat before start", token: func(t *testing.T) string {
			return f.jwkToken(t, func(c map[string]any) { c["iat"], c["nbf"] = unix(-11*time.Minute), unix(-11*time.Minute) })
		}, kind: caerr.Unauthorized, msg: "invalid token: token issued before the bootstrap of certificate authority"},
		{name: "iat before start with disableIssuedAtCheck", token: func(t *testing.T) string {
			return f.jwkToken(t, func(c map[string]any) { c["iat"], c["nbf"] = unix(-11*time.Minute), unix(-11*time.Minute) })
		}, opts: func(o *Options) { o.DisableIssuedAtCheck = true }},
		{name: "iat missing", token: func(t *testing.T) string {
			return f.jwkToken(t, func(c map[string]any) { delete(c, "iat") })
		}, kind: caerr.Unauthorized, msg: `invalid token: claim "iat" is required`},
		{name: "iat missing with disableIssuedAtCheck", token: func(t *testing.T) string {
			return f.jwkToken(t, func(c map[string]any) { delete(c, "iat") })
		}, opts: func(o *Options) { o.DisableIssuedAtCheck = true }},
		{name: "missing exp", token: func(t *testing.T) string {
			return f.jwkToken(t, func(c map[string]any) { delete(c, "exp") })
		}, kind: caerr.Unauthorized, msg: `invalid token: claim "exp" is required`},
		{name: "lifetime over an hour", token: func(t *testing.T) string {
			return f.jwkToken(t, func(c map[string]any) { c["exp"] = unix(24 * time.Hour) })
		}, kind: caerr.Unauthorized, msg: "invalid token: token lifetime exceeds 1h0m0s"},
		{name: "exp not a number", token: func(t *testing.T) string {
			return f.jwkToken(t, func(c map[string]any) { c["exp"] = "tomorrow" })
		}, kind: caerr.Unauthorized, msg: `invalid token: claim "exp" must be a date in seconds since 1970`},
		{name: "empty sub", token: func(t *testing.T) string {
			return f.jwkToken(t, func(c map[string]any) { c["sub"] = "" })
		}, kind: caerr.Unauthorized, msg: `invalid token: claim "sub" is empty`},
		{name: "wrong iss", token: func(t *testing.T) string {
			return f.jwkToken(t, func(c map[string]any) { c["iss"] = "other" })
		}, kind: caerr.Unauthorized, msg: `invalid token: issuer "other" is not provisioner "admin@example.com"`},
		{name: "alg none", token: func(t *testing.T) string {
			return unsigned(t, map[string]any{"alg": "none", "kid": f.kid}, signClaims(jwkName, caURL+"/1.0/sign"))
		}, kind: caerr.Unauthorized, msg: `invalid token: algorithm "none" is not allowed`},
		{name: "HS256 keyed with the public key", token: func(t *testing.T) string {
			return mint(t, gojose.HS256, pubJSON, map[string]any{"kid": f.kid}, signClaims(jwkName, caURL+"/1.0/sign"))
		}, kind: caerr.Unauthorized, msg: `invalid token: algorithm "HS256" is not allowed`},
		{name: "ES384 header on a P-256 key", token: func(t *testing.T) string {
			return unsigned(t, map[string]any{"alg": "ES384", "kid": f.kid}, signClaims(jwkName, caURL+"/1.0/sign")) + "AAAA"
		}, kind: caerr.Unauthorized, msg: `invalid token: algorithm "ES384" does not match the key (ES256)`},
		{name: "b64 false with crit", token: func(t *testing.T) string {
			return unsigned(t, map[string]any{"alg": "ES256", "kid": f.kid, "b64": false, "crit": []string{"b64"}},
				signClaims(jwkName, caURL+"/1.0/sign")) + "AAAA"
		}, kind: caerr.Unauthorized, msg: `invalid token: header "crit" is not allowed`},
		{name: "b64 without crit", token: func(t *testing.T) string {
			return unsigned(t, map[string]any{"alg": "ES256", "kid": f.kid, "b64": true},
				signClaims(jwkName, caURL+"/1.0/sign")) + "AAAA"
		}, kind: caerr.Unauthorized, msg: `invalid token: header "b64" is not allowed`},
		{name: "signed by another key with the same kid", token: func(t *testing.T) string {
			return mint(t, gojose.ES256, newKey(t), map[string]any{"kid": f.kid}, signClaims(jwkName, caURL+"/1.0/sign"))
		}, kind: caerr.Unauthorized, msg: "invalid token: the signature does not verify"},
		{name: "another kid", token: func(t *testing.T) string {
			return mint(t, gojose.ES256, f.jwkKey, map[string]any{"kid": "other"}, signClaims(jwkName, caURL+"/1.0/sign"))
		}, kind: caerr.Unauthorized, msg: `invalid token: key ID "other" is not the provisioner's`},
		{name: "JSON serialization", token: func(t *testing.T) string {
			return sign(t, gojose.ES256, f.jwkKey, map[string]any{"kid": f.kid}, signClaims(jwkName, caURL+"/1.0/sign")).FullSerialize()
		}, kind: caerr.Unauthorized, msg: "invalid token: the JSON serialization is not accepted, only the compact form"},
		{name: "duplicate claims", token: func(t *testing.T) string {
			raw := fmt.Sprintf(`{"iss":%q,"sub":%q,"aud":%q,"iat":%d,"exp":%d,"exp":%d}`,
				jwkName, testSub, caURL+"/1.0/sign", unix(0), unix(time.Minute), unix(time.Hour))
			return mint(t, gojose.ES256, f.jwkKey, map[string]any{"kid": f.kid}, []byte(raw))
		}, kind: caerr.Unauthorized, msg: `invalid token: the payload has duplicate member "exp"`},
		{name: "case-variant duplicate claims", token: func(t *testing.T) string {
			raw := fmt.Sprintf(`{"iss":%q,"sub":%q,"aud":%q,"iat":%d,"exp":%d,"EXP":%d}`,
				jwkName, testSub, caURL+"/1.0/sign", unix(0), unix(time.Minute), unix(time.Hour))
			return mint(t, gojose.ES256, f.jwkKey, map[string]any{"kid": f.kid}, []byte(raw))
		}, kind: caerr.Unauthorized, msg: `invalid token: the payload has duplicate member "EXP"`},
		{name: "not a JWT", token: func(*testing.T) string { return "hello" },
			kind: caerr.Unauthorized, msg: "invalid token: not a compact JWS (want three dot-separated parts)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ff := f
			if tc.opts != nil {
				ff = &fixture{jwkKey: f.jwkKey, kid: f.kid}
				ff.coll = rebuild(t, f.coll, tc.opts)
			}
			p, ok := ff.coll.ByName(jwkName)
			if !ok {
				t.Fatal("no JWK provisioner")
			}
			tok := tc.token(t)
			a, err := p.AuthorizeSign(context.Background(), tok)
			wantErr(t, err, tc.kind, tc.msg)
			if err == nil && (a.Subject != testSub || a.Token.ID != p.ID()+"#"+testJTI || a.Provisioner != p) {
				t.Errorf("authorization %+v", a)
			}
			// The Collection's one-parse path answers as the provisioner
			// does for every token Lookup routes to it.
			if lp, lerr := ff.coll.Lookup(tok); lerr == nil && lp == p {
				_, err := ff.coll.AuthorizeSign(context.Background(), tok)
				wantErr(t, err, tc.kind, tc.msg)
			}
		})
	}
}

// rebuild makes a collection of the same provisioners with edited options.
func rebuild(t *testing.T, c *Collection, edit func(*Options)) *Collection {
	t.Helper()
	var provs []config.Provisioner
	for _, p := range c.All() {
		provs = append(provs, p.Config())
	}
	o := Options{
		DNSNames:  []string{"ca.example.com", "::1"},
		StartTime: testNow.Add(-10 * time.Minute),
		Now:       func() time.Time { return testNow },
	}
	edit(&o)
	n, err := NewCollection(provs, o)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// unsigned encodes header and claims with an empty signature.
func unsigned(t *testing.T, hdr, claims map[string]any) string {
	t.Helper()
	h, err := json.Marshal(hdr)
	if err != nil {
		t.Fatal(err)
	}
	c, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c) + "."
}

func TestJWKSignAuthorizationContents(t *testing.T) {
	f := newFixture(t)
	p, _ := f.coll.ByName(jwkName)
	tok := f.jwkToken(t, func(c map[string]any) {
		delete(c, "sans")
		delete(c, "jti")
		c["cnf"] = map[string]any{"x5rt#S256": "fingerprint"}
		c["user"] = map[string]any{"team": "blue"}
	})
	a, err := p.AuthorizeSign(context.Background(), tok)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(a.SANs, ",") != testSub {
		t.Errorf("SANs %v, want [sub]", a.SANs)
	}
	if a.CNF != "fingerprint" {
		t.Errorf("CNF %q", a.CNF)
	}
	if len(a.Token.ID) != 64 || strings.Contains(a.Token.ID, "#") {
		t.Errorf("token ID without jti %q, want the token hash", a.Token.ID)
	}
	if !a.Token.ExpiresAt.Equal(testNow.Add(5 * time.Minute)) {
		t.Errorf("ExpiresAt %v", a.Token.ExpiresAt)
	}
	if a.Token.Claims["user"].(map[string]any)["team"] != "blue" {
		t.Errorf("claims %v", a.Token.Claims)
	}
}

func TestJWKAuthorizeRevoke(t *testing.T) {
	f := newFixture(t)
	p, _ := f.coll.ByName(jwkName)
	cases := []struct {
		name string
		aud  string
		kind caerr.Kind
		msg  string
	}{
		{name: "revoke aud", aud: caURL + "/1.0/revoke"},
		{name: "legacy aud", aud: "step-certificate-authority"},
		{name: "sign aud", aud: caURL + "/1.0/sign", kind: caerr.Unauthorized, msg: "invalid token: audience not accepted for revoke"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tok := f.jwkToken(t, func(c map[string]any) { c["aud"], c["sub"] = tc.aud, "123456789" })
			a, err := p.AuthorizeRevoke(context.Background(), tok)
			wantErr(t, err, tc.kind, tc.msg)
			if err == nil && a.Serial != "123456789" {
				t.Errorf("serial %q", a.Serial)
			}
		})
	}
}

// TestJWKReloadSharesP256Key: a collection rebuilt with the same JWK (a
// SIGHUP reload) verifies with the same p256verify.Key, so a table built
// for the key before the reload is kept.
func TestJWKReloadSharesP256Key(t *testing.T) {
	f := newFixture(t)
	priv, err := jose.NewJWK(f.jwkKey)
	if err != nil {
		t.Fatal(err)
	}
	pubJSON, err := json.Marshal(jose.Public(priv))
	if err != nil {
		t.Fatal(err)
	}
	prov := mustProv(t, config.ProvisionerCommon{Type: "JWK", Name: jwkName}, config.JWKFields{Key: pubJSON, EncryptedKey: encrypts})
	reloaded, err := NewCollection([]config.Provisioner{prov}, Options{DNSNames: []string{"ca.example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	p1, _ := f.coll.ByName(jwkName)
	p2, _ := reloaded.ByName(jwkName)
	k1, k2 := p1.(*jwkProvisioner).p256, p2.(*jwkProvisioner).p256
	if k1 == nil || k1 != k2 {
		t.Fatalf("p256verify keys %p and %p: want one shared key", k1, k2)
	}
}
