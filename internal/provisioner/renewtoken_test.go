package provisioner

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/base64"
	"math/big"
	"strings"
	"testing"
	"time"

	gojose "github.com/go-jose/go-jose/v4"

	"github.com/stride-pki/stride/internal/caerr"
)

func TestVerifyRenewToken(t *testing.T) {
	ca := newTestCA(t, "Stride Root")
	other := newTestCA(t, "Other Root")
	key := newKey(t)
	valid := ca.issue(t, testSub, key.Public(), x509.KeyUsageDigitalSignature, x509.ExtKeyUsageServerAuth)
	expired := ca.issueAt(t, testSub, key.Public(), testNow.Add(-48*time.Hour), testNow.Add(-time.Hour), x509.KeyUsageDigitalSignature)
	future := ca.issueAt(t, testSub, key.Public(), testNow.Add(time.Hour), testNow.Add(48*time.Hour), x509.KeyUsageDigitalSignature)
	foreign := other.issue(t, testSub, key.Public(), x509.KeyUsageDigitalSignature)
	aud := NewAudiences([]string{"ca.example.com"})

	renew := func(t *testing.T, cert *x509.Certificate, signer *ecdsa.PrivateKey, edit func(map[string]any)) string {
		c := map[string]any{
			"iss": "step-ca-client/1.0", "sub": testSub, "aud": caURL + "/1.0/renew",
			"nbf": testNow.Unix(), "iat": testNow.Unix(), "exp": testNow.Add(5 * time.Minute).Unix(),
		}
		if edit != nil {
			edit(c)
		}
		return mint(t, gojose.ES256, signer, map[string]any{"x5cInsecure": chainHeader([]*x509.Certificate{cert})}, c)
	}
	cases := []struct {
		name  string
		token func(t *testing.T) string
		want  *x509.Certificate
		kind  caerr.Kind
		msg   string
	}{
		{name: "valid certificate", token: func(t *testing.T) string { return renew(t, valid, key, nil) }, want: valid},
		{name: "expired certificate accepted", token: func(t *testing.T) string { return renew(t, expired, key, nil) }, want: expired},
		{name: "aud without port", token: func(t *testing.T) string {
			return renew(t, valid, key, func(c map[string]any) { c["aud"] = "https://ca.example.com/renew" })
		}, want: valid},
		{name: "certificate of another CA", token: func(t *testing.T) string { return renew(t, foreign, key, nil) },
			kind: caerr.Unauthorized, msg: "invalid token: the certificate was not issued by this CA"},
		{name: "certificate not yet valid", token: func(t *testing.T) string { return renew(t, future, key, nil) },
			kind: caerr.Unauthorized, msg: "invalid token: the certificate is not yet valid"},
		{name: "signed by another key", token: func(t *testing.T) string { return renew(t, valid, newKey(t), nil) },
			kind: caerr.Unauthorized, msg: "invalid token: the signature does not verify"},
		{name: "sub is not the CN", token: func(t *testing.T) string {
			return renew(t, valid, key, func(c map[string]any) { c["sub"] = "other.example.com" })
		}, kind: caerr.Unauthorized, msg: `invalid token: subject "other.example.com" is not the certificate's common name`},
		{name: "sign audience", token: func(t *testing.T) string {
			return renew(t, valid, key, func(c map[string]any) { c["aud"] = caURL + "/1.0/sign" })
		}, kind: caerr.Unauthorized, msg: "invalid token: audience not accepted for renew"},
		{name: "expired token", token: func(t *testing.T) string {
			return renew(t, valid, key, func(c map[string]any) { c["exp"] = testNow.Add(-2 * time.Minute).Unix() })
		}, kind: caerr.Unauthorized, msg: "invalid token: token has expired"},
		{name: "x5c instead of x5cInsecure", token: func(t *testing.T) string {
			c := map[string]any{"sub": testSub, "aud": caURL + "/1.0/renew", "exp": testNow.Add(time.Minute).Unix()}
			return mint(t, gojose.ES256, key, map[string]any{"x5c": chainHeader([]*x509.Certificate{valid})}, c)
		}, kind: caerr.Unauthorized, msg: `invalid token: header "x5cInsecure" is missing`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tok := tc.token(t)
			cert, token, err := VerifyRenewToken(tok, ca.pool(), nil, aud, testNow)
			wantErr(t, err, tc.kind, tc.msg)
			if err != nil {
				return
			}
			if !cert.Equal(tc.want) {
				t.Errorf("got certificate %v", cert.Subject)
			}
			if token.ID != (&parsedToken{raw: tok}).hash() {
				t.Errorf("replay key %q is not the token hash", token.ID)
			}
		})
	}
	if _, _, err := VerifyRenewToken(renew(t, valid, key, nil), nil, nil, aud, testNow); caerr.KindOf(err) != caerr.Unauthorized {
		t.Errorf("nil roots: %v", err)
	}
}

// TestRenewTokenReplayKeyIgnoresSignatureBytes replays a renew token with
// its ECDSA signature flipped to (r, n-s), which still verifies: the replay
// key must not change, or the replay check could be dodged.
func TestRenewTokenReplayKeyIgnoresSignatureBytes(t *testing.T) {
	ca := newTestCA(t, "Stride Root")
	key := newKey(t)
	cert := ca.issue(t, testSub, key.Public(), x509.KeyUsageDigitalSignature)
	tok := mint(t, gojose.ES256, key, map[string]any{"x5cInsecure": chainHeader([]*x509.Certificate{cert})}, map[string]any{
		"sub": testSub, "aud": caURL + "/1.0/renew", "iat": testNow.Unix(), "exp": testNow.Add(time.Minute).Unix(),
	})
	i := strings.LastIndexByte(tok, '.')
	sig, err := base64.RawURLEncoding.DecodeString(tok[i+1:])
	if err != nil || len(sig) != 64 {
		t.Fatalf("signature: %v", err)
	}
	s := new(big.Int).SetBytes(sig[32:])
	s.Sub(elliptic.P256().Params().N, s)
	flipped := append(append([]byte{}, sig[:32]...), s.FillBytes(make([]byte, 32))...)
	tok2 := tok[:i+1] + base64.RawURLEncoding.EncodeToString(flipped)

	aud := NewAudiences([]string{"ca.example.com"})
	_, t1, err1 := VerifyRenewToken(tok, ca.pool(), nil, aud, testNow)
	_, t2, err2 := VerifyRenewToken(tok2, ca.pool(), nil, aud, testNow)
	if err1 != nil || err2 != nil {
		t.Fatalf("verify: %v, %v", err1, err2)
	}
	if tok == tok2 || t1.ID != t2.ID {
		t.Errorf("replay keys differ: %q vs %q", t1.ID, t2.ID)
	}
}
