package api

import (
	"bytes"
	"net/http/httptest"
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
