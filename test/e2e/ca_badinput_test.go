package e2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stride-pki/stride/internal/jose"
)

// strideMessages are the exact error messages stride-ca must answer, by
// case name of TestCABadInput; checked against stride-ca only.
// step-ca answers every 401 with a generic message; Stride says why.
var strideMessages = map[string]string{
	"sign bad JSON":                    "The request could not be completed: the request body is not valid JSON: unexpected end of JSON input at byte 20.",
	"sign empty body":                  "The request could not be completed: the request body is empty; a JSON object was expected.",
	"sign without token":               "The request could not be completed: missing ott.",
	"CSR with a bad signature":         "The request could not be completed: the certificate request's signature is invalid.",
	"CSR names not in the token":       "The request was forbidden by the certificate authority: certificate request dns names [a.example.com evil.example.com] do not match the token's [a.example.com].",
	"CSR CN not in the token":          `The request was forbidden by the certificate authority: certificate request common name "evil.example.com" is not the token subject or one of its SANs.`,
	"token for another CA":             "The request lacked necessary authorization to be completed: provisioner not found or invalid audience.",
	"revoke token on sign":             "The request lacked necessary authorization to be completed: invalid token: audience not accepted for sign.",
	"expired token":                    "The request lacked necessary authorization to be completed: invalid token: token has expired.",
	"replayed token":                   "The request lacked necessary authorization to be completed: token already used.",
	"concurrent replays":               "The request lacked necessary authorization to be completed: token already used.",
	"alg none":                         `The request lacked necessary authorization to be completed: invalid token: algorithm "none" is not allowed.`,
	"HS256 with the kid":               `The request lacked necessary authorization to be completed: invalid token: algorithm "HS256" is not allowed.`,
	"another key with the kid":         "The request lacked necessary authorization to be completed: invalid token: the signature does not verify.",
	"unknown provisioner":              "The request lacked necessary authorization to be completed: provisioner not found or invalid audience.",
	"revoke serial differs from token": `The request was forbidden by the certificate authority: the token's subject "1234" is not the serial number "5678".`,
	"revoke not passive":               "The requested method is not implemented by the certificate authority: non-passive revocation not implemented.",
}

// badKit is what a bad-input case needs.
type badKit struct {
	ca *runningCA
	m  *minter
	c  *http.Client
}

func (k *badKit) sign(t *testing.T, csr, ott string) (int, []byte) {
	t.Helper()
	return k.ca.post(t, k.c, "/sign", map[string]string{"csr": csr, "ott": ott})
}

// TestCABadInput: the server refuses malformed and unauthorised requests
// with the right status codes and step's error JSON.
func TestCABadInput(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		strideOnly string // why the reference server is not held to it
		want       int    // exact status; 0: any 4xx
		do         func(t *testing.T, k *badKit) (int, []byte)
	}{
		{name: "sign bad JSON", want: 400, do: func(t *testing.T, k *badKit) (int, []byte) {
			return k.ca.post(t, k.c, "/sign", `{"csr": "x", "ott": `)
		}},
		{name: "sign empty body", want: 400, do: func(t *testing.T, k *badKit) (int, []byte) {
			return k.ca.post(t, k.c, "/sign", "")
		}},
		{name: "sign without token", want: 400, do: func(t *testing.T, k *badKit) (int, []byte) {
			return k.ca.post(t, k.c, "/sign", map[string]string{"csr": makeCSR(t, "a.example.com", "a.example.com")})
		}},
		{name: "sign body over 1 MiB", strideOnly: "step-ca has no request-body limit", do: func(t *testing.T, k *badKit) (int, []byte) {
			return k.sign(t, strings.Repeat("A", 2<<20), k.m.signToken(t, "a.example.com"))
		}},
		{name: "CSR with a bad signature", want: 400, do: func(t *testing.T, k *badKit) (int, []byte) {
			blk, _ := pem.Decode([]byte(makeCSR(t, "a.example.com", "a.example.com")))
			blk.Bytes[len(blk.Bytes)-5] ^= 0xff // inside the signature value
			return k.sign(t, string(pem.EncodeToMemory(blk)), k.m.signToken(t, "a.example.com"))
		}},
		{name: "CSR names not in the token", want: 403, do: func(t *testing.T, k *badKit) (int, []byte) {
			return k.sign(t, makeCSR(t, "a.example.com", "a.example.com", "evil.example.com"), k.m.signToken(t, "a.example.com"))
		}},
		{name: "CSR CN not in the token", want: 403, do: func(t *testing.T, k *badKit) (int, []byte) {
			return k.sign(t, makeCSR(t, "evil.example.com"), k.m.signToken(t, "a.example.com"))
		}},
		{name: "token for another CA", want: 401, do: func(t *testing.T, k *badKit) (int, []byte) {
			c := k.m.claims("a.example.com", "https://ca.other.example:9000/1.0/sign", "a.example.com")
			return k.sign(t, makeCSR(t, "a.example.com", "a.example.com"), k.m.sign(t, c, k.m.key))
		}},
		{name: "revoke token on sign", want: 401, do: func(t *testing.T, k *badKit) (int, []byte) {
			c := k.m.claims("a.example.com", k.ca.URL+"/1.0/revoke", "a.example.com")
			return k.sign(t, makeCSR(t, "a.example.com", "a.example.com"), k.m.sign(t, c, k.m.key))
		}},
		{name: "expired token", want: 401, do: func(t *testing.T, k *badKit) (int, []byte) {
			c := k.m.claims("a.example.com", k.ca.URL+"/1.0/sign", "a.example.com")
			c["nbf"], c["exp"] = c["nbf"].(int64)-600, c["exp"].(int64)-600 // expired 5 min ago, iat now
			return k.sign(t, makeCSR(t, "a.example.com", "a.example.com"), k.m.sign(t, c, k.m.key))
		}},
		{name: "replayed token", want: 401, do: func(t *testing.T, k *badKit) (int, []byte) {
			tok := k.m.signToken(t, "a.example.com")
			if code, body := k.sign(t, makeCSR(t, "a.example.com", "a.example.com"), tok); code != 201 {
				t.Fatalf("first use: %d %s", code, body)
			}
			return k.sign(t, makeCSR(t, "a.example.com", "a.example.com"), tok)
		}},
		{name: "concurrent replays", want: 401, do: func(t *testing.T, k *badKit) (int, []byte) {
			tok, csr := k.m.signToken(t, "a.example.com"), makeCSR(t, "a.example.com", "a.example.com")
			codes, bodies := make([]int, 2), make([][]byte, 2)
			var start, done sync.WaitGroup
			start.Add(1)
			for i := range codes {
				done.Add(1)
				go func() {
					defer done.Done()
					start.Wait()
					codes[i], bodies[i] = k.sign(t, csr, tok)
				}()
			}
			start.Done()
			done.Wait()
			if !(codes[0] == 201 && codes[1] == 401) && !(codes[0] == 401 && codes[1] == 201) {
				t.Errorf("two concurrent uses of one token: %d and %d, want one 201 and one 401", codes[0], codes[1])
			}
			if codes[0] == 401 {
				return codes[0], bodies[0]
			}
			return codes[1], bodies[1]
		}},
		{name: "alg none", want: 401, do: func(t *testing.T, k *badKit) (int, []byte) {
			h, _ := json.Marshal(map[string]string{"alg": "none", "kid": k.m.key.KeyID, "typ": "JWT"})
			p, _ := json.Marshal(k.m.claims("a.example.com", k.ca.URL+"/1.0/sign", "a.example.com"))
			tok := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(p) + "."
			return k.sign(t, makeCSR(t, "a.example.com", "a.example.com"), tok)
		}},
		{name: "HS256 with the kid", want: 401, do: func(t *testing.T, k *badKit) (int, []byte) {
			// The HMAC secret is the public key's JSON, the classic confusion attack.
			pub, _ := jose.Public(k.m.key).MarshalJSON()
			hs := &jose.JSONWebKey{Key: pub, KeyID: k.m.key.KeyID, Algorithm: "HS256"}
			c := k.m.claims("a.example.com", k.ca.URL+"/1.0/sign", "a.example.com")
			return k.sign(t, makeCSR(t, "a.example.com", "a.example.com"), k.m.sign(t, c, hs))
		}},
		{name: "another key with the kid", want: 401, do: func(t *testing.T, k *badKit) (int, []byte) {
			other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			jwk, _ := jose.NewJWK(other)
			jwk.KeyID = k.m.key.KeyID
			c := k.m.claims("a.example.com", k.ca.URL+"/1.0/sign", "a.example.com")
			return k.sign(t, makeCSR(t, "a.example.com", "a.example.com"), k.m.sign(t, c, jwk))
		}},
		{name: "unknown provisioner", want: 401, do: func(t *testing.T, k *badKit) (int, []byte) {
			other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			jwk, _ := jose.NewJWK(other)
			c := k.m.claims("a.example.com", k.ca.URL+"/1.0/sign", "a.example.com")
			c["iss"] = "nobody@example.com"
			return k.sign(t, makeCSR(t, "a.example.com", "a.example.com"), k.m.sign(t, c, jwk))
		}},
		{name: "revoke serial differs from token", want: 403, do: func(t *testing.T, k *badKit) (int, []byte) {
			tok := k.m.sign(t, k.m.claims("1234", k.ca.URL+"/1.0/revoke"), k.m.key)
			return k.ca.post(t, k.c, "/revoke", map[string]any{"serial": "5678", "ott": tok, "passive": true})
		}},
		{name: "revoke not passive", want: 501, do: func(t *testing.T, k *badKit) (int, []byte) {
			tok := k.m.sign(t, k.m.claims("5678", k.ca.URL+"/1.0/revoke"), k.m.key)
			return k.ca.post(t, k.c, "/revoke", map[string]any{"serial": "5678", "ott": tok, "passive": false})
		}},
	}
	forEachCA(t, func(t *testing.T, ca *runningCA) {
		k := &badKit{ca: ca, m: ca.minter(t, provisionerName), c: ca.httpClient()}
		// The kit works: a well-formed request signs.
		if code, body := k.sign(t, makeCSR(t, "ok.example.com", "ok.example.com"), k.m.signToken(t, "ok.example.com")); code != 201 {
			t.Fatalf("a valid /sign: %d %s", code, body)
		}
		for _, tc := range cases {
			if !heldTo(ca, tc.strideOnly) {
				continue
			}
			t.Run(tc.name, func(t *testing.T) {
				code, body := tc.do(t, k)
				t.Logf("%d %s", code, strings.TrimSpace(string(body)))
				switch {
				case tc.want == 0 && (code < 400 || code > 499):
					t.Errorf("status %d, want 4xx: %s", code, body)
				case tc.want != 0 && code != tc.want:
					t.Errorf("status %d, want %d: %s", code, tc.want, body)
				}
				var e apiError
				if code < 400 || code == 413 {
					return
				}
				if err := json.Unmarshal(body, &e); err != nil || e.Status != code || e.Message == "" {
					t.Errorf("error body is not {\"status\":%d,\"message\":…}: %s", code, body)
				}
				if want, ok := strideMessages[tc.name]; ok && ca.kind == strideCA && e.Message != want {
					t.Errorf("message %q, want %q", e.Message, want)
				}
			})
		}
	})
}
