package provisioner

import (
	"context"
	"crypto/x509"
	"fmt"
	"testing"
	"time"

	"github.com/stride-pki/stride/internal/caerr"
	"github.com/stride-pki/stride/internal/config"
)

// TestDenyByDefault calls every operation of every type with a token that
// would be valid for the JWK provisioner and checks that only declared
// pairs get past the declaration check.
func TestDenyByDefault(t *testing.T) {
	f := newFixture(t)
	var provs []config.Provisioner
	for _, p := range f.coll.All() {
		provs = append(provs, p.Config())
	}
	for _, typ := range []string{"GCP", "AWS", "Azure", "K8sSA", "SCEP", "Nebula"} {
		provs = append(provs, mustProv(t, config.ProvisionerCommon{Type: typ, Name: "p-" + typ}))
	}
	coll, err := NewCollection(provs, Options{DNSNames: []string{"ca.example.com"}, Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	cert := &x509.Certificate{NotBefore: testNow.Add(-time.Hour), NotAfter: testNow.Add(time.Hour)}
	ctx := context.Background()
	ops := map[Operation]func(Provisioner) error{
		OpSign:   func(p Provisioner) error { _, err := p.AuthorizeSign(ctx, f.jwkToken(t, nil)); return err },
		OpRevoke: func(p Provisioner) error { _, err := p.AuthorizeRevoke(ctx, f.jwkToken(t, nil)); return err },
		OpRenew:  func(p Provisioner) error { return p.AuthorizeRenew(ctx, cert) },
	}
	for _, p := range coll.All() {
		for op, call := range ops {
			t.Run(p.Type()+"/"+string(op), func(t *testing.T) {
				err := call(p)
				refused := fmt.Sprintf("provisioner %q of type %s does not authorize %s", p.Name(), p.Type(), op)
				if !Declares(p.Type(), op) {
					wantErr(t, err, caerr.Unauthorized, refused)
				} else if err != nil && caerr.Message(err) == refused {
					t.Fatalf("declared pair refused: %v", err)
				}
			})
		}
	}
	// SSH operations are declared by no type yet.
	for typ := range declared {
		for _, op := range []Operation{OpSSHSign, OpSSHRenew, OpSSHRekey, OpSSHRevoke} {
			if Declares(typ, op) {
				t.Errorf("%s declares %s", typ, op)
			}
		}
	}
}

func TestAuthorizeRenew(t *testing.T) {
	yes, no := true, false
	cases := []struct {
		name   string
		claims *config.Claims
		nb, na time.Duration
		kind   caerr.Kind
		msg    string
	}{
		{name: "valid", nb: -time.Hour, na: time.Hour},
		{name: "disabled", claims: &config.Claims{DisableRenewal: &yes}, nb: -time.Hour, na: time.Hour,
			kind: caerr.Unauthorized, msg: `renew is disabled for provisioner "p"`},
		{name: "not yet valid", nb: time.Hour, na: 2 * time.Hour,
			kind: caerr.Unauthorized, msg: "certificate is not yet valid (not before 2026-03-04T06:06:07Z)"},
		{name: "expired", nb: -2 * time.Hour, na: -time.Hour,
			kind: caerr.Unauthorized, msg: "certificate expired on 2026-03-04T04:06:07Z"},
		{name: "expired, allowed after expiry", claims: &config.Claims{AllowRenewalAfterExpiry: &yes, DisableRenewal: &no},
			nb: -2 * time.Hour, na: -time.Hour},
	}
	for _, tc := range cases {
		for _, typ := range []string{"JWK", "ACME"} {
			t.Run(typ+"/"+tc.name, func(t *testing.T) {
				views := []any{config.ProvisionerCommon{Type: typ, Name: "p", Claims: tc.claims}}
				if typ == "JWK" {
					views = append(views, config.JWKFields{Key: publicJWK(t)})
				}
				coll, err := NewCollection([]config.Provisioner{mustProv(t, views...)}, Options{Now: func() time.Time { return testNow }})
				if err != nil {
					t.Fatal(err)
				}
				p, _ := coll.ByName("p")
				cert := &x509.Certificate{NotBefore: testNow.Add(tc.nb), NotAfter: testNow.Add(tc.na)}
				wantErr(t, p.AuthorizeRenew(context.Background(), cert), tc.kind, tc.msg)
			})
		}
	}
}

func TestClaimsMerged(t *testing.T) {
	d := config.Duration(48 * time.Hour)
	p := mustProv(t, config.ProvisionerCommon{Type: "ACME", Name: "a", Claims: &config.Claims{DefaultTLSDur: &d}})
	coll, err := NewCollection([]config.Provisioner{p}, Options{AuthorityClaims: &config.Claims{MaxTLSDur: &d}})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := coll.ByName("a")
	if c := got.Claims(); c.TLS.Default != 48*time.Hour || c.TLS.Max != 48*time.Hour {
		t.Errorf("claims %+v", c.TLS)
	}
}
