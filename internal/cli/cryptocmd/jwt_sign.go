package cryptocmd

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
	"github.com/stride-pki/stride/internal/jose"
	"github.com/stride-pki/stride/internal/pemutil"
)

type jwtSignOptions struct {
	key, jwks, kid, passwordFile, alg, x5cCert string
	iss, sub, jti                              string
	aud, headers                               []string
	exp, nbf, iat                              int64
	subtle                                     bool
}

func newJWTSignCmd() *cobra.Command {
	var o jwtSignOptions
	cmd := &cobra.Command{
		Use:   "sign",
		Short: "sign a JWT",
		Long: `Sign a JWT with a private key (JWK, JWE-encrypted JWK or PEM) and print it in
compact form. Claims come from the flags and from a JSON object on standard
input, which wins. iat and nbf default to now and jti to 32 random bytes in
hex; --iss, --aud, --sub and --exp are required unless --subtle is given.`,
		Example: `  stride crypto jwt sign --key priv.json --password-file pass.txt \
      --iss joe@example.com --aud https://example.com --sub auth --exp $(date -d +5min +%s)
  echo '{"srv":"https://srv.example.com"}' | stride crypto jwt sign --key key.pem --subtle`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runJWTSign(cmd, &o)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&o.key, "key", "", "`file` with the private key (JWK, JWE-encrypted JWK or PEM)")
	alias(fs, "key", "x5c-key")
	fs.StringVar(&o.jwks, "jwks", "", "JWK Set `file` holding the key (needs --kid)")
	fs.StringVar(&o.kid, "kid", "", "the key's kid (sets the header kid for PEM keys)")
	fs.StringVar(&o.passwordFile, "password-file", "", "`file` with the password that decrypts the key")
	fs.StringVar(&o.alg, "alg", "", "signature `algorithm` (default: the JWK's, or by key type)")
	alias(fs, "alg", "algorithm")
	fs.StringVar(&o.iss, "iss", "", "the issuer claim")
	alias(fs, "iss", "issuer")
	fs.StringArrayVar(&o.aud, "aud", nil, "an audience (repeat for several)")
	alias(fs, "aud", "audience")
	fs.StringVar(&o.sub, "sub", "", "the subject claim")
	alias(fs, "sub", "subject")
	fs.Int64Var(&o.exp, "exp", 0, "expiry as a Unix timestamp")
	alias(fs, "exp", "expiration")
	fs.Int64Var(&o.nbf, "nbf", 0, "not-before as a Unix timestamp (default now)")
	alias(fs, "nbf", "not-before")
	fs.Int64Var(&o.iat, "iat", 0, "issued-at as a Unix timestamp (default now)")
	alias(fs, "iat", "issued-at")
	fs.StringVar(&o.jti, "jti", "", "the JWT ID (default: random)")
	alias(fs, "jti", "jwt-id")
	fs.StringArrayVar(&o.headers, "header", nil, "an extra header as `key=value` (repeatable)")
	fs.StringVar(&o.x5cCert, "x5c-cert", "", "certificate (chain) PEM `file` to put in the x5c header")
	fs.BoolVar(&o.subtle, "subtle", false, "allow missing claims and an --alg that differs from the JWK's")
	return cmd
}

func runJWTSign(cmd *cobra.Command, o *jwtSignOptions) error {
	jwk, err := signingKey(cmd, o)
	if err != nil {
		return err
	}
	claims, err := jwtClaims(cmd, o, time.Now())
	if err != nil {
		return err
	}
	extra, err := jwtHeaders(o, jwk)
	if err != nil {
		return err
	}
	token, err := jose.SignJWT(jwk, claims, extra)
	if err != nil {
		return err
	}
	fmt.Fprintln(cmd.OutOrStdout(), token)
	return nil
}

// signingKey reads the private key and settles its alg and kid.
func signingKey(cmd *cobra.Command, o *jwtSignOptions) (*jose.JSONWebKey, error) {
	if o.key == "" && o.jwks == "" {
		return nil, cmdutil.Usagef("--key or --jwks is required")
	}
	jwk, form, err := recipientKey(o.key, o.jwks, o.kid, passwordSource(cmd, o.passwordFile, "the key", true))
	if err != nil {
		return nil, err
	}
	if jwk.IsPublic() {
		return nil, cmdutil.Usagef("the key is public: signing needs a private key")
	}
	if form == formPEM && o.kid != "" {
		jwk.KeyID = o.kid
	}
	if o.alg != "" {
		if form != formPEM && jwk.Algorithm != "" && jwk.Algorithm != o.alg && !o.subtle {
			return nil, cmdutil.Usagef("--alg %s differs from the JWK's alg %s; use --subtle to allow it", o.alg, jwk.Algorithm)
		}
		jwk.Algorithm = o.alg
	}
	return jwk, nil
}

// jwtClaims builds the claims from the flags, then the JSON on stdin over them.
func jwtClaims(cmd *cobra.Command, o *jwtSignOptions, now time.Time) (map[string]any, error) {
	c := map[string]any{"iat": orNow(o.iat, now), "nbf": orNow(o.nbf, now)}
	setIf(c, "iss", o.iss)
	setIf(c, "sub", o.sub)
	switch len(o.aud) {
	case 0:
	case 1:
		c["aud"] = o.aud[0]
	default:
		c["aud"] = o.aud
	}
	if o.exp != 0 {
		c["exp"] = o.exp
	}
	c["jti"] = o.jti
	if o.jti == "" {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return nil, err
		}
		c["jti"] = hex.EncodeToString(b)
	}
	if err := mergeStdinClaims(cmd, c); err != nil {
		return nil, err
	}
	if !o.subtle {
		for _, name := range []string{"iss", "aud", "sub", "exp"} {
			if _, ok := c[name]; !ok {
				return nil, cmdutil.Usagef("flag '--%s' is required unless '--subtle' is used", name)
			}
		}
	}
	return c, nil
}

func mergeStdinClaims(cmd *cobra.Command, c map[string]any) error {
	in, err := readStdin(cmd.InOrStdin())
	if err != nil || len(bytes.TrimSpace(in)) == 0 {
		return err
	}
	extra, err := decodeObject(in)
	if err != nil {
		return fmt.Errorf("the claims on standard input are not a JSON object: %w", err)
	}
	for k, v := range extra {
		c[k] = v
	}
	return nil
}

func orNow(v int64, now time.Time) int64 {
	if v == 0 {
		return now.Unix()
	}
	return v
}

func setIf(m map[string]any, k, v string) {
	if v != "" {
		m[k] = v
	}
}

// jwtHeaders gathers --header pairs and the x5c chain, whose leaf must hold
// the signing key.
func jwtHeaders(o *jwtSignOptions, jwk *jose.JSONWebKey) (map[string]any, error) {
	extra := map[string]any{}
	for _, h := range o.headers {
		k, v, ok := strings.Cut(h, "=")
		if !ok || k == "" {
			return nil, cmdutil.Usagef("--header %q is not key=value", h)
		}
		extra[k] = v
	}
	if o.x5cCert == "" {
		return extra, nil
	}
	certs, err := pemutil.ReadCertificates(o.x5cCert)
	if err != nil {
		return nil, err
	}
	pub, err := jose.PublicKeyOf(jwk)
	if err != nil {
		return nil, err
	}
	if eq, ok := certs[0].PublicKey.(interface{ Equal(crypto.PublicKey) bool }); !ok || !eq.Equal(pub) {
		return nil, fmt.Errorf("%s: the certificate's key is not the signing key", o.x5cCert)
	}
	chain := make([]string, len(certs))
	for i, c := range certs {
		chain[i] = base64.StdEncoding.EncodeToString(c.Raw)
	}
	extra["x5c"] = chain
	return extra, nil
}
