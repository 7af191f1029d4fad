package wfe

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"

	gojose "github.com/go-jose/go-jose/v4"

	"github.com/stride-pki/stride/internal/acme"
	"github.com/stride-pki/stride/internal/storage"
)

// keyKind is which key reference a route accepts (RFC 8555 §6.2).
type keyKind int

const (
	byKID    keyKind = iota // an account's URL: every route but these
	byJWK                   // the key itself: new-account
	byEither                // revoke-cert: the account, or the certificate's key
)

// request is an authenticated ACME request.
type request struct {
	prov    *acme.Provisioner
	links   links
	payload []byte
	acct    *storage.ACMEAccount // set when signed with kid
	jwk     *gojose.JSONWebKey   // set when signed with jwk
}

// postAsGet reports whether the payload is empty (RFC 8555 §6.3).
func (q *request) postAsGet() bool { return len(q.payload) == 0 }

// decode reads the payload as JSON into v; an empty payload is an error.
// Its members are first checked like the header's (members): no
// duplicates, none differing only in case, which encoding/json would
// otherwise resolve silently (security.md §2.2).
func (q *request) decode(v any) *acme.Problem {
	if q.postAsGet() {
		return acme.Malformedf("the payload is not the expected JSON object")
	}
	if _, err := members(q.payload); err != nil {
		return acme.Malformedf("the payload is not a JSON object: %v", err)
	}
	if json.Unmarshal(q.payload, v) != nil {
		return acme.Malformedf("the payload is not the expected JSON object")
	}
	return nil
}

// authenticate runs every check of RFC 8555 §6 on r and returns the
// verified request, or writes the problem and returns nil. The order
// matters: cheap envelope checks first, then the nonce (so a replay fails
// whatever else is wrong), then the key and the signature.
func (h *handler) authenticate(w http.ResponseWriter, r *http.Request, kind keyKind) *request {
	p, ok := h.provisioner(w, r)
	if !ok {
		return nil
	}
	q, prob := h.checkRequest(w, r, p, kind)
	if prob != nil {
		h.writeProblem(w, r, prob)
		return nil
	}
	return q
}

func (h *handler) checkRequest(w http.ResponseWriter, r *http.Request, p *acme.Provisioner, kind keyKind) (*request, *acme.Problem) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/jose+json" {
		return nil, &acme.Problem{Type: acme.ProbMalformed, Status: http.StatusUnsupportedMediaType,
			Detail: "the Content-Type must be application/jose+json"}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.maxBody))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, &acme.Problem{Type: acme.ProbMalformed, Status: http.StatusRequestEntityTooLarge,
			Detail: "the request body is too large"}
	} else if err != nil {
		return nil, acme.Malformedf("the request body could not be read")
	}
	env, prob := parseEnvelope(body)
	if prob != nil {
		return nil, prob
	}
	q := &request{prov: p, links: linksFor(r, p.Name)}
	if env.url != requestURL(r) {
		return nil, &acme.Problem{Type: acme.ProbUnauthorized, Detail: "the JWS url is not this request's URL"}
	}
	if prob := keyKindAllowed(env, kind); prob != nil {
		return nil, prob
	}
	if env.nonce == "" {
		return nil, &acme.Problem{Type: acme.ProbBadNonce, Detail: "the protected header needs a nonce"}
	}
	if err := h.svc.Nonces().Redeem(r.Context(), env.nonce); err != nil {
		return nil, acme.AsProblem(err)
	}
	key, prob := h.resolveKey(r, q, env)
	if prob != nil {
		return nil, prob
	}
	if prob := checkKey(env.alg, key); prob != nil {
		return nil, prob
	}
	if q.payload, err = verifySignature(env, key); err != nil {
		return nil, acme.Malformedf("the JWS signature is not valid")
	}
	return q, nil
}

func keyKindAllowed(env *envelope, kind keyKind) *acme.Problem {
	switch {
	case kind == byKID && env.kid == "":
		return acme.Malformedf("this request must be signed with an account key (kid)")
	case kind == byJWK && env.jwk == nil:
		return acme.Malformedf("this request must carry its key (jwk)")
	}
	return nil
}

// resolveKey returns the key the signature must verify with: the jwk's
// (a public key, never a private one), or the kid's account's.
func (h *handler) resolveKey(r *http.Request, q *request, env *envelope) (crypto.PublicKey, *acme.Problem) {
	if env.jwk != nil {
		if !env.jwk.IsPublic() || !env.jwk.Valid() {
			return nil, &acme.Problem{Type: acme.ProbBadPublicKey, Detail: "the jwk is not a valid public key"}
		}
		q.jwk = env.jwk
		return env.jwk.Key, nil
	}
	id, ok := q.links.accountID(env.kid)
	if !ok {
		return nil, &acme.Problem{Type: acme.ProbAccountDoesNotExist, Detail: "the kid is not an account URL of this server"}
	}
	acct, err := h.svc.Account(r.Context(), q.prov, id)
	if err != nil {
		return nil, acme.AsProblem(err)
	}
	k, err := parseAccountKey(acct.Key)
	if err != nil {
		return nil, acme.AsProblem(err)
	}
	q.acct = acct
	return k, nil
}

func parseAccountKey(b []byte) (crypto.PublicKey, error) {
	var k gojose.JSONWebKey
	if err := json.Unmarshal(b, &k); err != nil {
		return nil, err
	}
	return k.Key, nil
}

// checkKey refuses keys outside the account-key policy (acme.CheckAccountKey:
// RSA 2048–8192 bits with e = 65537, NIST curves, no small-order Ed25519)
// and keys that do not match alg (ES256 must be P-256 and so on; RS*/PS*
// RSA; EdDSA Ed25519).
func checkKey(alg gojose.SignatureAlgorithm, key crypto.PublicKey) *acme.Problem {
	if err := acme.CheckAccountKey(key); err != nil {
		return &acme.Problem{Type: acme.ProbBadPublicKey, Detail: "the account key is not acceptable: " + err.Error()}
	}
	var want []gojose.SignatureAlgorithm
	switch k := key.(type) {
	case *rsa.PublicKey:
		want = []gojose.SignatureAlgorithm{gojose.RS256, gojose.RS384, gojose.RS512, gojose.PS256, gojose.PS384, gojose.PS512}
	case *ecdsa.PublicKey:
		want = []gojose.SignatureAlgorithm{map[int]gojose.SignatureAlgorithm{256: gojose.ES256, 384: gojose.ES384, 521: gojose.ES512}[k.Curve.Params().BitSize]}
	case ed25519.PublicKey:
		want = []gojose.SignatureAlgorithm{gojose.EdDSA}
	default:
		return &acme.Problem{Type: acme.ProbBadPublicKey, Detail: "the key type is not supported"}
	}
	for _, a := range want {
		if a == alg {
			return nil
		}
	}
	return badAlg("alg " + string(alg) + " does not match the key")
}
