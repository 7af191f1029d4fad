package acme

import (
	"context"
	"encoding/json"
	"errors"

	gojose "github.com/go-jose/go-jose/v4"

	"github.com/stride-pki/stride/internal/jose"
	"github.com/stride-pki/stride/internal/keys"
	"github.com/stride-pki/stride/internal/storage"
)

// Account key rollover (RFC 8555 §7.3.5): the outer JWS, signed by the
// account's current key (kid = account URL), carries an inner JWS signed by
// the new key, whose payload names the account and its current key. The
// inner signature proves possession of the new key; the outer one, of the
// old.

// accountAlgs are the JWS algorithms an account key may sign with; the
// same list as the request JWSs (RFC 8555 §6.2, and step-ca's set).
var accountAlgs = []gojose.SignatureAlgorithm{
	gojose.RS256, gojose.RS384, gojose.RS512,
	gojose.PS256, gojose.PS384, gojose.PS512,
	gojose.ES256, gojose.ES384, gojose.ES512,
	gojose.EdDSA,
}

// AccountByKey returns the ID of the account of this provisioner whose key
// has the RFC 7638 thumbprint, or an error wrapping storage.ErrNotFound.
type AccountByKey func(ctx context.Context, thumbprint string) (accountID string, err error)

// keyChangeHeader is the inner JWS's protected header.
type keyChangeHeader struct {
	Alg   string           `json:"alg"`
	JWK   *json.RawMessage `json:"jwk"`
	KID   *string          `json:"kid"`
	URL   string           `json:"url"`
	Nonce json.RawMessage  `json:"nonce"`
	Crit  json.RawMessage  `json:"crit"`
}

// keyChangePayload is the inner JWS's payload (RFC 8555 §7.3.5).
type keyChangePayload struct {
	Account string          `json:"account"`
	OldKey  json.RawMessage `json:"oldKey"`
}

// KeyChange is a verified rollover: the account's new key and its
// thumbprint (the account's new storage KeyID).
type KeyChange struct {
	NewKey     *jose.JSONWebKey
	Thumbprint string
}

// VerifyKeyChange checks the inner JWS of a key-change request (the outer
// JWS's payload, already verified with oldKey for the account at
// accountURL, posted to outerURL) and returns the new key. Errors are ACME
// problems: malformed, badSignatureAlgorithm, badPublicKey (a key Stride
// does not accept), unauthorized (the payload names another account or key)
// and a KeyInUseError when the new key is already another account's.
func VerifyKeyChange(ctx context.Context, inner json.RawMessage, outerURL, accountURL string, oldKey *jose.JSONWebKey, byKey AccountByKey) (*KeyChange, error) {
	newKey, payload, err := verifyInnerJWS(inner, outerURL)
	if err != nil {
		return nil, err
	}
	var p keyChangePayload
	if err := json.Unmarshal(payload, &p); err != nil {
		return nil, Malformedf("key-change: the inner payload is not {\"account\",\"oldKey\"}")
	}
	if p.Account != accountURL {
		return nil, problemf(ProbUnauthorized, "key-change: the inner payload's account %q is not the requesting account", p.Account)
	}
	oldTP, err := jose.Thumbprint(oldKey)
	if err != nil {
		return nil, internal(err, "to hash the account key")
	}
	var claimed jose.JSONWebKey
	if json.Unmarshal(p.OldKey, &claimed) != nil || claimed.Key == nil {
		return nil, Malformedf("key-change: oldKey is not a JWK")
	}
	if tp, err := jose.Thumbprint(&claimed); err != nil || tp != oldTP {
		return nil, problemf(ProbUnauthorized, "key-change: oldKey is not the account's current key")
	}
	newTP, err := jose.Thumbprint(newKey)
	if err != nil {
		return nil, Malformedf("key-change: the new key: %v", err)
	}
	if newTP == oldTP {
		return nil, Malformedf("key-change: the new key is the account's current key")
	}
	switch id, err := byKey(ctx, newTP); {
	case err == nil:
		return nil, keyInUse(id)
	case !errors.Is(err, storage.ErrNotFound):
		return nil, internal(err, "to look the new account key up")
	}
	return &KeyChange{NewKey: newKey, Thumbprint: newTP}, nil
}

// KeyInUseError is the answer when the new key is already the key of the
// account AccountID (RFC 8555 §7.3.5): the edge answers 409 with that
// account's URL in Location. It unwraps to its malformed Problem, so an
// edge that does not know it still answers a problem document.
type KeyInUseError struct {
	AccountID string
	Problem   *Problem
}

func (e *KeyInUseError) Error() string { return e.Problem.Error() }
func (e *KeyInUseError) Unwrap() error { return e.Problem }

// keyInUse is the KeyInUseError for account id. The caller returns it too
// when the store's update reports storage.ErrConflict (another rollover to
// the same key won the race).
func keyInUse(id string) error {
	return &KeyInUseError{AccountID: id, Problem: Malformedf("key-change: the new key is already in use by another account")}
}

// verifyInnerJWS checks the inner JWS's shape, header and signature and
// returns the new key (public) and the payload.
func verifyInnerJWS(inner json.RawMessage, outerURL string) (*jose.JSONWebKey, []byte, error) {
	jws, err := parseFlatJWS(inner, "key-change inner JWS")
	if err != nil {
		return nil, nil, err
	}
	var h keyChangeHeader
	if err := decodeHeader(jws.header, &h); err != nil {
		return nil, nil, Malformedf("key-change: the inner protected header: %v", err)
	}
	if !allowedAlg(h.Alg) {
		return nil, nil, problemf(ProbBadSignatureAlgorithm, "key-change: alg %q is not allowed", h.Alg)
	}
	switch {
	case h.JWK == nil:
		return nil, nil, Malformedf("key-change: the inner JWS must carry the new key in jwk")
	case h.KID != nil:
		return nil, nil, Malformedf("key-change: the inner JWS must not have a kid")
	case h.URL != outerURL:
		return nil, nil, Malformedf("key-change: the inner url %q is not the request's url %q", h.URL, outerURL)
	case h.Nonce != nil:
		return nil, nil, Malformedf("key-change: the inner JWS must not have a nonce")
	case h.Crit != nil:
		return nil, nil, Malformedf("key-change: crit is not supported")
	}
	var key jose.JSONWebKey
	if err := json.Unmarshal(*h.JWK, &key); err != nil || key.Key == nil || !key.IsPublic() {
		return nil, nil, problemf(ProbBadPublicKey, "key-change: jwk is not a public key")
	}
	if err := keys.CheckPublicKey(key.Key); err != nil {
		return nil, nil, problemf(ProbBadPublicKey, "key-change: %v", err)
	}
	sig, err := gojose.ParseSigned(string(inner), accountAlgs)
	if err != nil {
		return nil, nil, Malformedf("key-change: the inner JWS: %v", err)
	}
	payload, err := sig.Verify(&key)
	if err != nil {
		return nil, nil, Malformedf("key-change: the inner JWS signature does not verify with the new key")
	}
	return &key, payload, nil
}

func allowedAlg(alg string) bool {
	for _, a := range accountAlgs {
		if string(a) == alg {
			return true
		}
	}
	return false
}

// KeyChange rolls acct over to the key the inner JWS carries (RFC 8555
// §7.3.5). inner is the outer JWS's payload, verified by the edge with
// acct's current key; outerURL is the URL the outer JWS was posted to and
// accountURL acct's URL as the client names it (the outer kid). The key
// changes with an optimistic update: a concurrent rollover of the same
// account makes this one fail rather than silently overwrite it.
func (s *Service) KeyChange(ctx context.Context, p *Provisioner, acct *storage.ACMEAccount, inner []byte, outerURL, accountURL string) (*storage.ACMEAccount, error) {
	old, err := jose.ParseJWK(acct.Key)
	if err != nil {
		return nil, internal(err, "to read the account key")
	}
	byKey := func(ctx context.Context, tp string) (string, error) {
		a, err := s.store.ACMEAccountByKey(ctx, p.Name, tp)
		if err != nil {
			return "", err
		}
		return a.ID, nil
	}
	kc, err := VerifyKeyChange(ctx, inner, outerURL, accountURL, old, byKey)
	if err != nil {
		return nil, err
	}
	key, err := json.Marshal(kc.NewKey)
	if err != nil {
		return nil, internal(err, "to encode the new key")
	}
	return s.replaceKey(ctx, acct, key, kc.Thumbprint, byKey)
}

// replaceKey stores key (thumbprint tp) as acct's key. When another write
// to the account won (ErrStale), it re-reads the account and tries again
// as long as the account is valid with the key this request was signed by.
func (s *Service) replaceKey(ctx context.Context, acct *storage.ACMEAccount, key []byte, tp string, byKey AccountByKey) (*storage.ACMEAccount, error) {
	oldKeyID := acct.KeyID
	for {
		acct.Key, acct.KeyID = key, tp
		err := s.store.UpdateACMEAccount(ctx, acct)
		switch {
		case err == nil:
			return acct, nil
		case errors.Is(err, storage.ErrConflict):
			if id, lerr := byKey(ctx, tp); lerr == nil {
				return nil, keyInUse(id)
			}
			return nil, internal(err, "to change the account key")
		case !errors.Is(err, storage.ErrStale):
			return nil, internal(err, "to change the account key")
		}
		if acct, err = s.store.ACMEAccount(ctx, acct.ID); err != nil {
			return nil, internal(err, "to change the account key")
		}
		if acct.KeyID != oldKeyID || acct.Status != string(StatusValid) {
			return nil, problemf(ProbUnauthorized, "the account's key or status changed during the rollover")
		}
	}
}
