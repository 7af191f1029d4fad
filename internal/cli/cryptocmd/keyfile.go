package cryptocmd

import (
	"bytes"
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
	"github.com/stride-pki/stride/internal/jose"
	"github.com/stride-pki/stride/internal/pemutil"
)

// keyForm is how a key file stored its key; change-pass writes the same form
// back, and jwt verify asks for --alg when the file carried none (PEM).
type keyForm int

const (
	formPEM keyForm = iota // PEM, possibly encrypted
	formJWK                // a plain JWK JSON object
	formJWE                // a JWK encrypted as a JWE (compact or JSON)
)

// readKeyFile reads a PEM key, a JWK or a JWE-encrypted JWK from path and
// returns it as a JWK. password is called only when the file is encrypted.
// Keys read from PEM get kid = thumbprint and alg by key type, as step does.
func readKeyFile(path string, password func() ([]byte, error)) (*jose.JSONWebKey, keyForm, error) {
	data, err := pemutil.ReadFile(path)
	if err != nil {
		return nil, 0, err
	}
	jwk, form, err := parseKey(data, password)
	if err != nil {
		var ue *cmdutil.UsageError
		if errors.As(err, &ue) {
			return nil, 0, err
		}
		return nil, 0, fmt.Errorf("%s: %w", path, err)
	}
	return jwk, form, nil
}

func parseKey(data []byte, password func() ([]byte, error)) (*jose.JSONWebKey, keyForm, error) {
	s := strings.TrimSpace(string(data))
	switch {
	case isJWE(s):
		pw, err := password()
		if err != nil {
			return nil, 0, err
		}
		jwk, err := jose.DecryptJWK(s, pw)
		return jwk, formJWE, err
	case strings.HasPrefix(s, "{"):
		jwk, err := jose.ParseJWK([]byte(s))
		return jwk, formJWK, err
	}
	jwk, err := parsePEMKey(data, password)
	return jwk, formPEM, err
}

// isJWE tells a JWE (compact, or JSON with a ciphertext) from a JWK.
func isJWE(s string) bool {
	if strings.HasPrefix(s, "{") {
		var m map[string]json.RawMessage
		if json.Unmarshal([]byte(s), &m) != nil {
			return false
		}
		_, ok := m["ciphertext"]
		return ok
	}
	return strings.Count(s, ".") == 4 && !strings.ContainsAny(s, " \n-")
}

// parsePEMKey reads a private key, or failing that a public key or
// certificate, from PEM.
func parsePEMKey(data []byte, password func() ([]byte, error)) (*jose.JSONWebKey, error) {
	var pw []byte
	if pemutil.IsEncrypted(data) {
		var err error
		if pw, err = password(); err != nil {
			return nil, err
		}
	}
	var key any
	if signer, err := pemutil.ParsePrivateKey(data, pw); err == nil {
		key = signer
	} else if pub, perr := pemutil.ParsePublicKey(data); perr == nil {
		key = pub
	} else {
		return nil, err
	}
	return jwkOf(key)
}

// jwkOf wraps a signer or public key in a JWK with kid = thumbprint and the
// default signature algorithm of its type.
func jwkOf(key any) (*jose.JSONWebKey, error) {
	var pub crypto.PublicKey = key
	if s, ok := key.(crypto.Signer); ok {
		pub = s.Public()
	}
	alg, err := jose.SignatureAlgorithm(pub)
	if err != nil {
		return nil, err
	}
	jwk := &jose.JSONWebKey{Key: key, Algorithm: alg}
	if jwk.KeyID, err = jose.Thumbprint(jwk); err != nil {
		return nil, err
	}
	return jwk, nil
}

// checkOutputs fails before anything is written when an output exists and
// neither --force nor a "yes" on the terminal allows replacing it, or when two
// outputs are the same file.
func checkOutputs(cmd *cobra.Command, force bool, paths ...string) error {
	for i, p := range paths {
		for _, q := range paths[:i] {
			if p == q {
				return cmdutil.Usagef("the output files must differ: %s is given twice", p)
			}
		}
		err := cmdutil.CheckNotExists(p, force)
		if err == nil {
			continue
		}
		if _, statErr := os.Stat(p); statErr != nil {
			return err
		}
		pr := cmdutil.NewPrompter(cmd.InOrStdin(), cmd.ErrOrStderr())
		if pr == nil {
			return err
		}
		if ok, perr := pr.Confirm("Would you like to overwrite " + p + "?"); perr != nil || !ok {
			return err
		}
	}
	return nil
}

// marshalJWK is the two-space indented JSON step writes for JWKs.
func marshalJWK(jwk *jose.JSONWebKey) ([]byte, error) {
	b, err := json.MarshalIndent(jwk, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encoding JWK: %w", err)
	}
	return append(b, '\n'), nil
}

// readStdin reads the command's input, or nothing when it is a terminal.
func readStdin(in io.Reader) ([]byte, error) {
	if cmdutil.IsTerminal(in) {
		return nil, nil
	}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(in); err != nil {
		return nil, fmt.Errorf("reading standard input: %w", err)
	}
	return buf.Bytes(), nil
}

// alias registers a hidden second name for a flag, sharing its value, for
// step's alternative spellings (--curve for --crv, --out for --output-file).
func alias(fs *pflag.FlagSet, name, other string) {
	f := *fs.Lookup(name)
	f.Name, f.Shorthand, f.Hidden = other, "", true
	f.Usage = "alias of --" + name
	fs.AddFlag(&f)
}

// saved reports a written file on stderr the way step does.
func saved(cmd interface{ PrintErrf(string, ...any) }, what, path string) {
	cmd.PrintErrf("Your %s has been saved in %s.\n", what, path)
}
