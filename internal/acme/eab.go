package acme

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"

	gojose "github.com/go-jose/go-jose/v4"

	"github.com/stride-pki/stride/internal/jose"
	"github.com/stride-pki/stride/internal/storage"
)

// External account binding (RFC 8555 §7.3.4): a new-account request may
// carry a JWS, MACed with a key the CA handed out of band, whose payload is
// the account key. It proves the requester holds that key; the CA then
// binds the key (once) to the new account.

// EABKeySize is the size of the HMAC keys NewEABKey makes: 256 bits, the
// size HS256 needs (RFC 7518 §3.2) and what certbot and lego expect.
const EABKeySize = 32

// EABKey is a freshly made external account key: the key identifier the
// client sends as the inner JWS "kid", and the HMAC key.
type EABKey struct {
	ID  string
	Key []byte
}

// EncodedKey is the HMAC key as ACME clients take it: base64url without
// padding (certbot --eab-hmac-key, lego --hmac, x/crypto's Key decoded).
func (k EABKey) EncodedKey() string { return base64.RawURLEncoding.EncodeToString(k.Key) }

// NewEABKey makes a key: 32 random bytes, and an ID of 32 random
// alphanumerics (about 190 bits; the MAC protects the binding, the ID only
// names the key). Neither the ID nor the encoded key starts with "-", which
// command lines (certbot's, lego's, ours) would take for an option.
func NewEABKey() (EABKey, error) { return newEABKey(rand.Reader) }

const alphanumerics = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

func newEABKey(r io.Reader) (EABKey, error) {
	id := make([]byte, 0, 32)
	var b [1]byte
	for len(id) < cap(id) {
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return EABKey{}, err
		}
		if b[0] < 248 { // 248 = 4·62: rejection keeps the choice uniform
			id = append(id, alphanumerics[b[0]%62])
		}
	}
	key := make([]byte, EABKeySize)
	for {
		if _, err := io.ReadFull(r, key); err != nil {
			return EABKey{}, err
		}
		if key[0]>>2 != 62 { // 62 encodes as "-"
			return EABKey{ID: string(id), Key: key}, nil
		}
	}
}

// EABKeyLookup returns the HMAC key of the external account key kid. It
// returns an error wrapping storage.ErrNotFound when there is no such key
// for the provisioner, and storage.ErrEABKeyBound when it is bound already;
// any other error is the CA's failure.
type EABKeyLookup func(ctx context.Context, kid string) (hmacKey []byte, err error)

// eabHeader is the protected header of the binding JWS. Nonce and JWK are
// raw so that their mere presence is seen.
type eabHeader struct {
	Alg   string          `json:"alg"`
	KID   string          `json:"kid"`
	URL   string          `json:"url"`
	Nonce json.RawMessage `json:"nonce"`
	JWK   json.RawMessage `json:"jwk"`
	Crit  json.RawMessage `json:"crit"`
}

// macAlgs are the MAC algorithms a binding may use (RFC 8555 §7.3.4).
var macAlgs = map[string]func() hash.Hash{
	string(gojose.HS256): sha256.New,
	string(gojose.HS384): sha512.New384,
	string(gojose.HS512): sha512.New,
}

// VerifyEAB checks the externalAccountBinding of a new-account request
// whose outer JWS was signed by outerJWK for outerURL, and returns the
// external account key's ID, which the caller binds to the new account in
// the account's create transaction (storage.ACMEAccount.EABKeyID). Errors
// are ACME problems: malformed (shape, header, payload),
// badSignatureAlgorithm (not HS256/384/512) and unauthorized (unknown or
// used key, bad MAC).
func VerifyEAB(ctx context.Context, eab json.RawMessage, outerJWK *jose.JSONWebKey, outerURL string, lookup EABKeyLookup) (string, error) {
	jws, err := parseFlatJWS(eab, "externalAccountBinding")
	if err != nil {
		return "", err
	}
	var h eabHeader
	if err := decodeHeader(jws.header, &h); err != nil {
		return "", Malformedf("externalAccountBinding: protected header: %v", err)
	}
	newHash, ok := macAlgs[h.Alg]
	if !ok {
		return "", problemf(ProbBadSignatureAlgorithm,
			"externalAccountBinding: alg %q is not allowed: use HS256, HS384 or HS512", h.Alg)
	}
	if err := checkEABHeader(&h, outerURL); err != nil {
		return "", err
	}
	key, err := lookup(ctx, h.KID)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return "", problemf(ProbUnauthorized, "externalAccountBinding: no external account key %q", h.KID)
	case errors.Is(err, storage.ErrEABKeyBound):
		return "", problemf(ProbUnauthorized, "externalAccountBinding: external account key %q is already bound to an account", h.KID)
	case err != nil:
		return "", internal(err, "to read the external account key")
	}
	mac := hmac.New(newHash, key)
	mac.Write(jws.signingInput())
	if !hmac.Equal(mac.Sum(nil), jws.signature) {
		return "", problemf(ProbUnauthorized, "externalAccountBinding: the MAC does not verify with external account key %q", h.KID)
	}
	if err := sameKey(jws.payload, outerJWK); err != nil {
		return "", err
	}
	return h.KID, nil
}

// checkEABHeader enforces §7.3.4's header rules: a kid, the outer url, no
// nonce (the binding is not a request of its own) and nothing unexpected.
func checkEABHeader(h *eabHeader, outerURL string) error {
	switch {
	case h.KID == "":
		return Malformedf("externalAccountBinding: the protected header has no kid")
	case h.URL != outerURL:
		return Malformedf("externalAccountBinding: url %q is not the request's url %q", h.URL, outerURL)
	case h.Nonce != nil:
		return Malformedf("externalAccountBinding: the protected header must not have a nonce")
	case h.JWK != nil:
		return Malformedf("externalAccountBinding: the protected header must not have a jwk")
	case h.Crit != nil:
		return Malformedf("externalAccountBinding: crit is not supported")
	}
	return nil
}

// sameKey checks that payload is a public JWK with outer's RFC 7638
// thumbprint: members other than the key's (kid, alg, use) may differ.
func sameKey(payload []byte, outer *jose.JSONWebKey) error {
	var inner jose.JSONWebKey
	if err := json.Unmarshal(payload, &inner); err != nil || inner.Key == nil || !inner.IsPublic() {
		return Malformedf("externalAccountBinding: the payload is not a public JWK")
	}
	got, err := jose.Thumbprint(&inner)
	if err != nil {
		return Malformedf("externalAccountBinding: the payload key: %v", err)
	}
	want, err := jose.Thumbprint(outer)
	if err != nil {
		return internal(err, "to hash the account key")
	}
	if got != want {
		return Malformedf("externalAccountBinding: the payload is not the account key")
	}
	return nil
}

// flatJWS is a JWS in the flattened JSON serialization (RFC 7515 §7.2.2),
// decoded but not verified.
type flatJWS struct {
	protected, payloadB64 string // as sent, for the signing input
	header                []byte // decoded protected header
	payload               []byte
	signature             []byte
}

func (j *flatJWS) signingInput() []byte { return []byte(j.protected + "." + j.payloadB64) }

// parseFlatJWS decodes raw, which must be exactly {"protected","payload",
// "signature"}: ACME's nested JWSs have one signature and no unprotected
// header (RFC 8555 §6.2), so anything else is malformed. what names the
// JWS in errors.
func parseFlatJWS(raw json.RawMessage, what string) (*flatJWS, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return nil, Malformedf("%s: not a JWS object", what)
	}
	var parts [3]string
	for i, name := range []string{"protected", "payload", "signature"} {
		v, ok := m[name]
		if !ok || json.Unmarshal(v, &parts[i]) != nil {
			return nil, Malformedf("%s: %q must be a string", what, name)
		}
		delete(m, name)
	}
	for name := range m {
		return nil, Malformedf("%s: member %q is not allowed (flattened JWS, protected header only)", what, name)
	}
	j := &flatJWS{protected: parts[0], payloadB64: parts[1]}
	var err error
	if j.header, err = b64url(parts[0]); err != nil || len(bytes.TrimSpace(j.header)) == 0 {
		return nil, Malformedf("%s: protected is not base64url", what)
	}
	if j.payload, err = b64url(parts[1]); err != nil {
		return nil, Malformedf("%s: payload is not base64url", what)
	}
	if j.signature, err = b64url(parts[2]); err != nil || len(j.signature) == 0 {
		return nil, Malformedf("%s: signature is not base64url", what)
	}
	return j, nil
}

// headerNames are the JWS header members the nested JWSs are checked for.
var headerNames = []string{"alg", "kid", "url", "nonce", "jwk", "crit"}

// decodeHeader decodes a protected header into v, a struct of header
// members, refusing names that differ from one of headerNames only in case:
// encoding/json matches struct fields case-insensitively while go-jose
// (which verifies the key-change signature) and JWS itself do not, and the
// checks must read the header the signature covers (security.md §2.2).
func decodeHeader(raw []byte, v any) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return errors.New("not a JSON object")
	}
	for k := range m {
		for _, name := range headerNames {
			if k != name && strings.EqualFold(k, name) {
				return fmt.Errorf("member %q: header names are case-sensitive", k)
			}
		}
	}
	return json.Unmarshal(raw, v)
}

// b64url decodes unpadded base64url, as JWS requires (RFC 7515 §2).
func b64url(s string) ([]byte, error) { return base64.RawURLEncoding.Strict().DecodeString(s) }

// EABKeyReader reads external account keys (storage.ACME has it).
type EABKeyReader interface {
	ACMEEABKey(ctx context.Context, id string) (*storage.ACMEEABKey, error)
}

// StoreEAB is the Service's EABCheck over the keys in store: a binding must
// name a key of the request's provisioner that no account holds yet. The
// key is bound by the account's create transaction (CreateACMEAccount), so
// of two new accounts racing for one key exactly one wins. No binding is
// fine here: the Service refuses its absence when the provisioner requires
// one, and otherwise a binding is optional (RFC 8555 §7.3.4).
func StoreEAB(store EABKeyReader) EABCheck {
	return func(ctx context.Context, prov *Provisioner, binding, jwk []byte, url string) (string, error) {
		if binding == nil {
			return "", nil
		}
		outer, err := jose.ParseJWK(jwk)
		if err != nil {
			return "", internal(err, "to read the account key")
		}
		lookup := func(ctx context.Context, kid string) ([]byte, error) {
			k, err := store.ACMEEABKey(ctx, kid)
			switch {
			case err != nil:
				return nil, err
			case k.Provisioner != prov.Name:
				return nil, storage.ErrNotFound // another provisioner's key is not this one's to bind
			case k.AccountID != "":
				return nil, storage.ErrEABKeyBound
			}
			return k.HMACKey, nil
		}
		return VerifyEAB(ctx, binding, outer, url, lookup)
	}
}
