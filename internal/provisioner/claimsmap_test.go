package provisioner

import (
	"encoding/json"
	"reflect"
	"testing"
)

// FuzzClaimsFromMap holds parseClaims (one decode, claimsFromMap) to the
// member-by-member parseClaimsRaw: the same claims, and an error exactly
// when the raw reading gives one.
func FuzzClaimsFromMap(f *testing.F) {
	for _, s := range []string{
		`{"iss":"a","sub":"b","aud":"c","exp":1700000000,"nbf":1.5,"iat":null,"jti":"j","sans":["x",null],"cnf":{"x5rt#S256":"h"}}`,
		`{"aud":["a",null],"sans":null,"cnf":null,"exp":null}`, `{"aud":null,"iss":null,"sub":5}`, `{"aud":[]}`,
		`{"exp":-1}`, `{"exp":1e400}`, `{"exp":"1"}`, `{"cnf":{"x5rt#S256":null}}`, `{"cnf":[]}`, `{"cnf":{"a":1}}`,
		`{"sans":[1]}`, `{"sans":{}}`, `{"Iss":"x"}`, `{"AUD":"x"}`, `null`, `[]`, `{"exp":253402300800}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		if !json.Valid(payload) || checkDuplicates(payload) != nil {
			return // parseToken refuses these before parseClaims
		}
		got, gotErr := parseClaims(payload)
		want, wantErr := parseClaimsRaw(payload)
		if (gotErr == nil) != (wantErr == nil) {
			t.Fatalf("%s: parseClaims %v, parseClaimsRaw %v", payload, gotErr, wantErr)
		}
		if gotErr == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: parseClaims %+v, parseClaimsRaw %+v", payload, got, want)
		}
	})
}
