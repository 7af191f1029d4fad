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

// FuzzHeaderFromMap holds parseHeader (one decode, headerFromMap) to the
// member-by-member parseHeaderRaw: the same header and classification, and
// an error exactly when the raw reading gives one.
func FuzzHeaderFromMap(f *testing.F) {
	for _, s := range []string{
		`{"alg":"ES256","kid":"k","typ":"JWT"}`, `{"alg":"ES256","x5c":["AA",null],"x5cInsecure":null}`,
		`{"alg":"ES256","typ":1}`, `{"alg":"ES256","typ":null,"x5c":null}`, `{"alg":"ES256","crit":null}`,
		`{"alg":"none"}`, `{"alg":"HS256"}`, `{"alg":null}`, `{"alg":"ES256","kid":5}`, `{"alg":"ES256","Kid":"x"}`,
		`{"alg":"ES256","x5c":"AA"}`, `{"alg":"RS256","jwk":{}}`, `null`, `{}`, `{"alg":"ES256","b64":true}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if !json.Valid(b) || checkDuplicates(b) != nil {
			return // parseToken refuses these before parseHeader
		}
		got, gotErr := parseHeader(b)
		want, wantErr := parseHeaderRaw(b)
		if (gotErr == nil) != (wantErr == nil) || (gotErr != nil && gotErr.Error() != wantErr.Error()) {
			t.Fatalf("%s: parseHeader %v, parseHeaderRaw %v", b, gotErr, wantErr)
		}
		if gotErr == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: parseHeader %+v, parseHeaderRaw %+v", b, got, want)
		}
	})
}
