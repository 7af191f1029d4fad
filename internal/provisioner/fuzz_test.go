package provisioner

import (
	"context"
	"crypto/x509"
	"strings"
	"sync"
	"testing"
)

// fuzzFixture is built once per process: building it generates keys and
// certificates, which would dominate every fuzz iteration.
var (
	fuzzOnce   sync.Once
	fuzzFix    *fixture
	fuzzSeeds  []string
	fuzzTarget Provisioner
)

func fuzzSetup(f *testing.F) {
	fuzzOnce.Do(func() {
		fuzzFix = newFixture(f)
		fuzzTarget, _ = fuzzFix.coll.ByName(jwkName)
		fuzzSeeds = []string{
			fuzzFix.jwkToken(f, nil),
			fuzzFix.x5cToken(f, fuzzFix.x5cKey, []*x509.Certificate{fuzzFix.x5cLeaf}, nil),
			"", ".", "..", "a.b.c", "{}", `{"payload":"e30","signatures":[]}`,
			"eyJhbGciOiJub25lIn0.e30.", "eyJhbGciOiJFUzI1NiIsImNyaXQiOlsiYjY0Il19.e30.AA",
		}
	})
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
}

func FuzzLookup(f *testing.F) {
	fuzzSetup(f)
	f.Fuzz(func(t *testing.T, token string) {
		p, err := fuzzFix.coll.Lookup(token)
		if (p == nil) == (err == nil) {
			t.Fatalf("Lookup returned %v and %v", p, err)
		}
	})
}

func FuzzAuthorizeSign(f *testing.F) {
	fuzzSetup(f)
	x5c, _ := fuzzFix.coll.ByName(x5cName)
	f.Fuzz(func(t *testing.T, token string) {
		for _, p := range []Provisioner{fuzzTarget, x5c} {
			a, err := p.AuthorizeSign(context.Background(), token)
			if (a == nil) == (err == nil) {
				t.Fatalf("AuthorizeSign returned %v and %v", a, err)
			}
			if err == nil && len(a.SANs) == 0 {
				t.Fatal("authorized without SANs")
			}
		}
	})
}

// FuzzCollectionAuthorizeSign holds the one-parse Collection.AuthorizeSign
// to the two-step Lookup + AuthorizeSign it replaces: same answer, same
// error text.
func FuzzCollectionAuthorizeSign(f *testing.F) {
	fuzzSetup(f)
	f.Add(fuzzFix.jwkToken(f, func(c map[string]any) { c["ISS"] = "x" }))
	f.Add(fuzzFix.jwkToken(f, func(c map[string]any) { c["Aud"] = 5 }))
	f.Add(mint(f, "ES256", fuzzFix.jwkKey, map[string]any{"KID": fuzzFix.kid}, signClaims(jwkName, caURL+"/1.0/sign")))
	f.Fuzz(func(t *testing.T, token string) {
		got, gotErr := fuzzFix.coll.AuthorizeSign(context.Background(), token)
		var want *SignAuthorization
		p, wantErr := fuzzFix.coll.Lookup(token)
		if wantErr == nil {
			want, wantErr = p.AuthorizeSign(context.Background(), token)
		}
		if (gotErr == nil) != (wantErr == nil) || (gotErr != nil && gotErr.Error() != wantErr.Error()) {
			t.Fatalf("Collection.AuthorizeSign: %v; Lookup + AuthorizeSign: %v", gotErr, wantErr)
		}
		if gotErr == nil && (got.Provisioner != want.Provisioner || got.Token.ID != want.Token.ID ||
			got.Subject != want.Subject || strings.Join(got.SANs, ",") != strings.Join(want.SANs, ",")) {
			t.Fatalf("Collection.AuthorizeSign gave %+v, Lookup + AuthorizeSign %+v", got, want)
		}
	})
}
