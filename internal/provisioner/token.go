package provisioner

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strings"
	"unicode/utf8"

	gojose "github.com/go-jose/go-jose/v4"

	"github.com/stride-pki/stride/internal/caerr"
	"github.com/stride-pki/stride/internal/p256verify"
)

// maxTokenSize caps a token before any parsing (go-jose CVE-2025-27144 and
// the nesting bugs fed on unbounded input). An x5c token with a three-level
// RSA-4096 chain is about 10 KiB, so 32 KiB leaves room without inviting abuse.
const maxTokenSize = 32 << 10

// tokenHeader is the protected header of a token, read by Stride itself so
// that the members go-jose would accept or interpret (crit, b64, x5c) are
// judged by our rules first.
type tokenHeader struct {
	Alg         string
	Kid         string
	X5C         []string // std-base64 DER, leaf first
	X5CInsecure []string // renew tokens: same shape, verified ignoring expiry
	// plain: every member is one whose go-jose parsing cannot fail once
	// ours succeeded (alg, kid, typ as a string, x5cInsecure), plus x5c,
	// which go-jose parses as a chain (hasX5C). Only such headers take the
	// direct signature check (jwsverify.go); any other goes to go-jose.
	plain  bool
	hasX5C bool
	// oddCase: a member that is "kid" but for letter case, which Lookup's
	// case-insensitive peek would read where the strict parse does not.
	oddCase bool
}

// parsedToken is a compact JWS that passed the structural checks; nothing in
// it is authenticated until verify succeeds.
type parsedToken struct {
	raw     string
	header  tokenHeader
	hdrJSON []byte // base64url-decoded header
	payload []byte // base64url-decoded, unverified
	sig     []byte // base64url-decoded signature
	claims  tokenClaims
	// chainParsed: the x5c header was decoded and every certificate parsed,
	// exactly as go-jose would (x5c.go), so its presence does not force
	// the go-jose path.
	chainParsed bool
}

// parseToken splits and decodes a compact JWS without verifying it. It
// refuses the JSON serializations (step only mints compact tokens, and
// go-jose would otherwise accept multi-signature JSON), unsigned and MAC'd
// tokens, any "crit" (which is how RFC 7797 b64:false is switched on) or
// "b64" header, and duplicate JSON members, which encoding/json would
// silently resolve ("last wins", case-insensitively).
func parseToken(token string) (*parsedToken, error) {
	if len(token) > maxTokenSize {
		return nil, invalidToken("larger than %d bytes", maxTokenSize)
	}
	if strings.HasPrefix(strings.TrimSpace(token), "{") {
		return nil, invalidToken("the JSON serialization is not accepted, only the compact form")
	}
	if strings.Count(token, ".") != 2 {
		return nil, invalidToken("not a compact JWS (want three dot-separated parts)")
	}
	hdrSeg, rest, _ := strings.Cut(token, ".")
	paySeg, sigSeg, _ := strings.Cut(rest, ".")
	hdrJSON, err := decodeSegment(hdrSeg, "header")
	if err != nil {
		return nil, err
	}
	h, err := parseHeader(hdrJSON)
	if err != nil {
		return nil, err
	}
	payload, err := decodeSegment(paySeg, "payload")
	if err != nil {
		return nil, err
	}
	c, err := parseClaims(payload)
	if err != nil {
		return nil, err
	}
	sig, err := base64.RawURLEncoding.DecodeString(sigSeg)
	if err != nil || sigSeg == "" {
		return nil, invalidToken("the signature is not base64url")
	}
	return &parsedToken{raw: token, header: h, hdrJSON: hdrJSON, payload: payload, sig: sig, claims: c}, nil
}

func decodeSegment(s, what string) ([]byte, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, invalidToken("the %s is not base64url", what)
	}
	if !utf8.Valid(b) || !json.Valid(b) {
		return nil, invalidToken("the %s is not JSON", what)
	}
	if err := checkDuplicates(b); err != nil {
		return nil, invalidToken("the %s has %v", what, err)
	}
	return b, nil
}

// parseHeader reads the members Stride acts on and refuses those it never
// accepts. Unknown members are ignored, as RFC 7515 §4 asks. A well-formed
// header is read in one decode (headerFromMap); parseHeaderRaw, member by
// member, words every refusal.
func parseHeader(b []byte) (tokenHeader, error) {
	var m map[string]any
	if json.Unmarshal(b, &m) == nil && m != nil {
		if h, ok := headerFromMap(m); ok && checkAlgorithm(h.Alg) == nil {
			return h, nil
		}
	}
	return parseHeaderRaw(b)
}

// parseHeaderRaw is parseHeader's reference reading.
func parseHeaderRaw(b []byte) (tokenHeader, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil || m == nil {
		return tokenHeader{}, invalidToken("the header is not a JSON object")
	}
	for _, banned := range []string{"crit", "b64"} {
		if _, ok := m[banned]; ok {
			return tokenHeader{}, invalidToken("header %q is not allowed", banned)
		}
	}
	var h tokenHeader
	if err := stringMember(m, "alg", &h.Alg); err != nil {
		return h, err
	}
	if err := stringMember(m, "kid", &h.Kid); err != nil {
		return h, err
	}
	if err := stringsMember(m, "x5c", &h.X5C); err != nil {
		return h, err
	}
	if err := stringsMember(m, "x5cInsecure", &h.X5CInsecure); err != nil {
		return h, err
	}
	if err := checkAlgorithm(h.Alg); err != nil {
		return h, err
	}
	classifyHeader(m, &h)
	return h, nil
}

// classifyHeader sets h.plain, h.hasX5C and h.oddCase from the members.
func classifyHeader(m map[string]json.RawMessage, h *tokenHeader) {
	h.plain = true
	for name, v := range m {
		switch name {
		case "alg", "kid", "x5cInsecure":
			continue
		case "typ":
			h.plain = h.plain && (v[0] == '"' || string(v) == "null")
			continue
		case "x5c":
			h.hasX5C = string(v) != "null"
			continue
		}
		h.plain = false
		h.oddCase = h.oddCase || strings.EqualFold(name, "kid")
	}
}

// checkAlgorithm refuses what can never authenticate a token from a public
// key: no algorithm at all, and MACs (a MAC "keyed" with a public key is a
// forgery anyone can compute, RFC 8725 §2.1).
func checkAlgorithm(alg string) error {
	switch {
	case alg == "":
		return invalidToken("the header has no algorithm")
	case strings.EqualFold(alg, "none"):
		return invalidToken("algorithm %q is not allowed", alg)
	case strings.HasPrefix(strings.ToUpper(alg), "HS"):
		return invalidToken("algorithm %q is not allowed", alg)
	}
	if !isSignatureAlgorithm(alg) {
		return invalidToken("algorithm %q is not supported", alg)
	}
	return nil
}

func stringMember(m map[string]json.RawMessage, name string, dst *string) error {
	v, ok := m[name]
	if !ok {
		return nil
	}
	if err := json.Unmarshal(v, dst); err != nil {
		return invalidToken("header %q must be a string", name)
	}
	return nil
}

func stringsMember(m map[string]json.RawMessage, name string, dst *[]string) error {
	v, ok := m[name]
	if !ok {
		return nil
	}
	if err := json.Unmarshal(v, dst); err != nil {
		return invalidToken("header %q must be an array of strings", name)
	}
	return nil
}

// verify checks the signature with pub, which must be signed with one of algs
// (the algorithms the key may use): the header's alg alone never decides.
func (t *parsedToken) verify(pub crypto.PublicKey, algs []gojose.SignatureAlgorithm) error {
	return t.verifyKey(pub, nil, algs)
}

// verifyKey is verify with p256, pub prepared by p256verify when it is a
// provisioner's long-lived P-256 key (nil for any other key).
func (t *parsedToken) verifyKey(pub crypto.PublicKey, p256 *p256verify.Key, algs []gojose.SignatureAlgorithm) error {
	if !containsAlg(algs, t.header.Alg) {
		return invalidToken("algorithm %q does not match the key (%s)", t.header.Alg, algNames(algs))
	}
	if t.header.plain && (!t.header.hasX5C || t.chainParsed) {
		return t.verifyDirect(pub, p256)
	}
	return t.verifyGoJose(pub, algs)
}

// verifyGoJose is the signature check for headers verifyDirect does not
// take: go-jose parses the token again and judges the members it knows.
func (t *parsedToken) verifyGoJose(pub crypto.PublicKey, algs []gojose.SignatureAlgorithm) error {
	jws, err := gojose.ParseSignedCompact(t.raw, algs)
	if err != nil {
		return caerr.Wrap(caerr.Unauthorized, err, "invalid token: not a valid JWS")
	}
	if len(jws.Signatures) != 1 {
		return invalidToken("want exactly one signature")
	}
	payload, err := jws.Verify(pub)
	if err != nil {
		return caerr.Wrap(caerr.Unauthorized, err, "invalid token: the signature does not verify")
	}
	// The payload we judged must be the one that was signed; with compact
	// serialization it always is, and this keeps it true if parsing changes.
	if !bytes.Equal(payload, t.payload) {
		return invalidToken("the signed payload differs from the parsed one")
	}
	return nil
}

// hash is the replay key of a token without jti: lower-hex SHA-256 of its
// signing input (header "." payload). step hashes the whole token, but the
// signature is malleable (ECDSA (r, n-s), non-canonical base64 bits), so a
// replayed token could carry new signature bytes and a new hash; the
// signing input cannot change without breaking the signature (security.md
// rule 4).
func (t *parsedToken) hash() string {
	input := t.raw[:strings.LastIndexByte(t.raw, '.')]
	sum := sha256.Sum256([]byte(input))
	return hex.EncodeToString(sum[:])
}

func invalidToken(format string, args ...any) *caerr.Error {
	return caerr.Unauthorizedf("invalid token: "+format, args...)
}
