package wfe

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"strings"

	gojose "github.com/go-jose/go-jose/v4"

	"github.com/stride-pki/stride/internal/acme"
)

// allowedAlgs are the JWS algorithms accepted (RFC 8555 §6.2): RSA
// (PKCS#1 v1.5 and PSS), ECDSA on the three NIST curves, Ed25519. No
// "none" and no MAC: a MAC keyed with a public key is forgeable.
var allowedAlgs = []gojose.SignatureAlgorithm{
	gojose.RS256, gojose.RS384, gojose.RS512, gojose.PS256, gojose.PS384, gojose.PS512,
	gojose.ES256, gojose.ES384, gojose.ES512, gojose.EdDSA,
}

// envelope is a parsed, not yet verified, ACME JWS: exactly one signature
// with only a protected header, which names alg, nonce, url and one of
// jwk or kid.
type envelope struct {
	sig   *gojose.JSONWebSignature
	alg   gojose.SignatureAlgorithm
	nonce string
	url   string
	kid   string
	jwk   *gojose.JSONWebKey
}

// parseEnvelope checks body's JWS envelope and protected header (RFC 8555
// §6.2, RFC 7515 §7.2.2 flattened serialization) before anything is
// verified. JSON members are matched exactly, once: encoding/json would
// match keys case-insensitively and let the last duplicate win, and a
// parser differential is how a signed "url" gets swapped (security.md §2.2).
func parseEnvelope(body []byte) (*envelope, *acme.Problem) {
	top, err := members(body)
	if err != nil {
		return nil, acme.Malformedf("the request is not a JSON object: %v", err)
	}
	if _, ok := top["signatures"]; ok {
		return nil, acme.Malformedf("only the flattened JSON serialization with one signature is accepted")
	}
	if _, ok := top["header"]; ok {
		return nil, acme.Malformedf("the JWS must not have an unprotected header")
	}
	for k := range top {
		if k != "protected" && k != "payload" && k != "signature" {
			return nil, acme.Malformedf("unexpected JWS member %q", k)
		}
	}
	protectedB64, ok1 := stringMember(top, "protected")
	_, ok2 := stringMember(top, "payload")
	_, ok3 := stringMember(top, "signature")
	if !ok1 || !ok2 || !ok3 {
		return nil, acme.Malformedf("the JWS needs the string members protected, payload and signature")
	}
	env, prob := parseProtected(protectedB64)
	if prob != nil {
		return nil, prob
	}
	sig, err := gojose.ParseSignedJSON(string(body), allowedAlgs)
	if err != nil || len(sig.Signatures) != 1 {
		return nil, acme.Malformedf("the JWS cannot be parsed")
	}
	env.sig = sig
	env.jwk = sig.Signatures[0].Protected.JSONWebKey
	if (env.kid == "") == (env.jwk == nil) { // "kid":"" or "jwk":null
		return nil, acme.Malformedf("the protected header needs exactly one of jwk and kid")
	}
	return env, nil
}

// parseProtected reads the protected header's members.
func parseProtected(b64 string) (*envelope, *acme.Problem) {
	raw, err := base64.RawURLEncoding.DecodeString(b64)
	if err != nil {
		return nil, acme.Malformedf("the protected header is not base64url")
	}
	hdr, err := members(raw)
	if err != nil {
		return nil, acme.Malformedf("the protected header is not a JSON object: %v", err)
	}
	for _, k := range []string{"crit", "b64"} {
		if _, ok := hdr[k]; ok {
			return nil, acme.Malformedf("the protected header must not have %q", k)
		}
	}
	env := &envelope{}
	var ok bool
	alg, _ := stringMember(hdr, "alg")
	env.alg = gojose.SignatureAlgorithm(alg)
	if !algAllowed(env.alg) {
		return nil, &acme.Problem{Type: acme.ProbBadSignatureAlgorithm,
			Detail: "alg " + quoteAlg(alg) + " is not accepted; use one of RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512 EdDSA"}
	}
	if env.url, ok = stringMember(hdr, "url"); !ok || env.url == "" {
		return nil, acme.Malformedf("the protected header needs a url")
	}
	env.nonce, _ = stringMember(hdr, "nonce")
	kid, hasKID := hdr["kid"]
	_, hasJWK := hdr["jwk"]
	if hasKID == hasJWK {
		return nil, acme.Malformedf("the protected header needs exactly one of jwk and kid")
	}
	if hasKID && json.Unmarshal(kid, &env.kid) != nil {
		return nil, acme.Malformedf("kid must be a string")
	}
	return env, nil
}

func algAllowed(a gojose.SignatureAlgorithm) bool {
	for _, ok := range allowedAlgs {
		if a == ok {
			return true
		}
	}
	return false
}

func quoteAlg(a string) string {
	if len(a) > 16 {
		a = a[:16] + "…"
	}
	return `"` + a + `"`
}

// members decodes a JSON object's members, refusing duplicates (also those
// that differ only in case), trailing data and anything but an object.
func members(data []byte) (map[string]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, errors.New("not an object")
	}
	out := map[string]json.RawMessage{}
	seen := map[string]bool{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := t.(string)
		if seen[strings.ToLower(key)] {
			return nil, errors.New("duplicate member " + key)
		}
		seen[strings.ToLower(key)] = true
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		out[key] = v
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("trailing data after the object")
	}
	return out, nil
}

func stringMember(m map[string]json.RawMessage, key string) (string, bool) {
	raw, ok := m[key]
	if !ok {
		return "", false
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}
