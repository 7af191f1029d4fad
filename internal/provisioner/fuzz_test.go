package provisioner

import (
	"context"
	"crypto/x509"
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
