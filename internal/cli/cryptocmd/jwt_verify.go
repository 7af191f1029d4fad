package cryptocmd

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
	"github.com/stride-pki/stride/internal/jose"
)

type jwtVerifyOptions struct {
	key, jwks, kid, passwordFile string
	iss, aud, alg                string
	subtle, insecure             bool
}

func newJWTVerifyCmd() *cobra.Command {
	var o jwtVerifyOptions
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "verify a JWT read on stdin and print it",
		Long: `Verify the JWT on standard input: its algorithm, kid, signature, issuer,
audience and validity period (with one minute of leeway). On success print
{"header","payload","signature"} as JSON. --iss and --aud are required
unless --subtle; --alg is required for keys that carry none (PEM, or a JWK
without alg) unless --insecure.`,
		Example: `  echo $TOKEN | stride crypto jwt verify --key pub.json --iss joe@example.com --aud https://example.com
  echo $TOKEN | stride crypto jwt verify --key cert.pem --alg ES256 --subtle`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runJWTVerify(cmd, &o)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&o.key, "key", "", "`file` with the key: JWK (possibly encrypted), PEM public or private key, or certificate")
	fs.StringVar(&o.jwks, "jwks", "", "JWK Set `file` holding the key (selected by --kid or the token's kid)")
	fs.StringVar(&o.kid, "kid", "", "the key's kid; must match the token's")
	fs.StringVar(&o.passwordFile, "password-file", "", "`file` with the password that decrypts the key")
	fs.StringVar(&o.iss, "iss", "", "the expected issuer")
	alias(fs, "iss", "issuer")
	fs.StringVar(&o.aud, "aud", "", "the expected audience (one of the token's)")
	alias(fs, "aud", "audience")
	fs.StringVar(&o.alg, "alg", "", "the expected signature `algorithm`")
	alias(fs, "alg", "algorithm")
	fs.BoolVar(&o.subtle, "subtle", false, "allow verifying without --iss and --aud")
	fs.BoolVar(&o.insecure, "insecure", false, "allow verifying without --alg for keys that carry none")
	return cmd
}

func runJWTVerify(cmd *cobra.Command, o *jwtVerifyOptions) error {
	if !o.subtle && (o.iss == "" || o.aud == "") {
		flag := "iss"
		if o.iss != "" {
			flag = "aud"
		}
		return cmdutil.Usagef("flag '--%s' is required unless the '--subtle' flag is provided", flag)
	}
	token, err := readToken(cmd)
	if err != nil {
		return err
	}
	header, err := tokenHeader(token)
	if err != nil {
		return err
	}
	kid := o.kid
	if kid == "" && o.jwks != "" {
		kid = header.Kid
	}
	if o.key == "" && o.jwks == "" {
		return cmdutil.Usagef("--key or --jwks is required")
	}
	jwk, form, err := recipientKey(o.key, o.jwks, kid, passwordSource(cmd, o.passwordFile, "the key", true))
	if err != nil {
		return err
	}
	if err := checkTokenHeader(o, header, jwk, form); err != nil {
		return err
	}
	pub, err := jose.PublicKeyOf(jwk)
	if err != nil {
		return err
	}
	exp := jose.Expected{Issuer: o.iss, Time: time.Now(), Leeway: time.Minute}
	if o.aud != "" {
		exp.Audience = []string{o.aud}
	}
	if _, _, err := jose.VerifyJWT(token, pub, exp); err != nil {
		return fmt.Errorf("validation failed: %w", err)
	}
	return printJWT(cmd, token)
}

type jwtHeader struct {
	Alg string `json:"alg"`
	Kid string `json:"kid"`
}

func tokenHeader(token string) (jwtHeader, error) {
	var h jwtHeader
	raw, _, _, err := jose.InspectJWT(token)
	if err != nil {
		return h, err
	}
	return h, json.Unmarshal(raw, &h)
}

// checkTokenHeader refuses an algorithm other than the one expected (from
// --alg or the JWK) and a kid other than the key's, so a token cannot pick
// how it is verified (RFC 8725 §3.1).
func checkTokenHeader(o *jwtVerifyOptions, h jwtHeader, jwk *jose.JSONWebKey, form keyForm) error {
	want := o.alg
	if want == "" && form != formPEM {
		want = jwk.Algorithm
	}
	if want == "" && !o.insecure {
		return cmdutil.Usagef("flag '--alg' is required with this key unless '--insecure' is used")
	}
	if want != "" && h.Alg != want {
		return fmt.Errorf("validation failed: the token's alg %q is not %q", h.Alg, want)
	}
	if o.kid != "" && h.Kid != "" && h.Kid != o.kid {
		return fmt.Errorf("validation failed: the token's kid %q is not %q", h.Kid, o.kid)
	}
	if form != formPEM && jwk.KeyID != "" && h.Kid != "" && h.Kid != jwk.KeyID {
		return fmt.Errorf("validation failed: the token's kid %q is not the key's %q", h.Kid, jwk.KeyID)
	}
	return nil
}
