package api

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"reflect"
	"testing"
)

// FuzzDecodeSign feeds arbitrary bodies to the /sign decoder: it must not
// panic, and whatever it accepts must be a parsed CSR with a token (the
// authority checks the CSR's signature, once; see authority.checkCSR).
func FuzzDecodeSign(f *testing.F) {
	p := pki(f)
	f.Add([]byte(mustJSON(map[string]string{"csr": p.csrPEM, "ott": "t"})))
	f.Add([]byte(`{"csr":"-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n","ott":"x"}`))
	f.Add([]byte(`{"csr":5}`))
	f.Add([]byte(`{"templateData":{"a":[1,2,{"b":null}]},"notAfter":"24h"}`))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, body []byte) {
		r := httptest.NewRequest("POST", "/sign", bytes.NewReader(body))
		req, err := decodeSign(r)
		if err != nil {
			if status, _ := errorFor(err); status != 400 {
				t.Fatalf("decoding error maps to %d, want 400: %v", status, err)
			}
			return
		}
		if req.CSR == nil || req.OTT == "" || len(req.CSR.Raw) == 0 {
			t.Fatalf("accepted %+v", req)
		}
	})
}

// FuzzSignBodyFast holds signBody.decodeFast to encoding/json: whenever it
// takes a body, encoding/json must take it too and read the same values.
func FuzzSignBodyFast(f *testing.F) {
	for _, s := range []string{
		`{"csr":"-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n","ott":"a.b.c"}`,
		`{"csr":"x","ott":"y"}`, ` { "csr" : "x" , "ott" : "y", "notBefore":"1h","notAfter":"2h" } `, `{}`,
		`{"csr":"x","csr":"y"}`, `{"CSR":"x"}`, `{"csr":null}`, `{"csr":"\u0041"}`, `{"csr":"x",}`,
		`{"csr":"x"}x`, `{"csr":"é"}`, `{"templateData":{}}`, `{"other":"x"}`, `[]`, `{"csr":1}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var got signBody
		if !got.decodeFast(body) {
			if !reflect.DeepEqual(got, signBody{}) {
				t.Fatalf("%q: refused but wrote %+v", body, got)
			}
			return
		}
		var want signBody
		if err := json.Unmarshal(body, &want); err != nil {
			t.Fatalf("%q: decodeFast took it, encoding/json says %v", body, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: decodeFast %+v, encoding/json %+v", body, got, want)
		}
	})
}
