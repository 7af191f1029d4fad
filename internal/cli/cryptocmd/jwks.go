package cryptocmd

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/stride-pki/stride/internal/cli/cmdutil"
	"github.com/stride-pki/stride/internal/jose"
	"github.com/stride-pki/stride/internal/pemutil"
)

// recipientKey resolves the --key / --jwks / --kid flags shared by the JWE
// and JWT commands to one key; nil when neither --key nor --jwks is given.
func recipientKey(keyFile, jwksFile, kid string, password func() ([]byte, error)) (*jose.JSONWebKey, keyForm, error) {
	switch {
	case keyFile != "" && jwksFile != "":
		return nil, 0, cmdutil.Usagef("--key and --jwks cannot be used together")
	case jwksFile != "":
		if kid == "" {
			return nil, 0, cmdutil.Usagef("--jwks requires --kid")
		}
		jwk, err := readJWKS(jwksFile, kid, password)
		return jwk, formJWK, err
	case keyFile != "":
		jwk, form, err := readKeyFile(keyFile, password)
		if err != nil {
			return nil, 0, err
		}
		if kid != "" && form != formPEM && jwk.KeyID != kid {
			return nil, 0, fmt.Errorf("%s: the key's kid %q does not match --kid %q", keyFile, jwk.KeyID, kid)
		}
		return jwk, form, nil
	}
	return nil, 0, nil
}

// readJWKS finds the key with kid in a JWK Set file, itself possibly a JWE.
func readJWKS(path, kid string, password func() ([]byte, error)) (*jose.JSONWebKey, error) {
	data, err := pemutil.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if s := strings.TrimSpace(string(data)); isJWE(s) {
		pw, err := password()
		if err != nil {
			return nil, err
		}
		if data, err = jose.DecryptWithPassword(s, pw); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(data, &set); err != nil {
		return nil, fmt.Errorf("%s is not a JWK Set: %w", path, err)
	}
	for _, raw := range set.Keys {
		jwk, err := jose.ParseJWK(raw)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if jwk.KeyID == kid {
			return jwk, nil
		}
	}
	return nil, fmt.Errorf("%s has no key with kid %q", path, kid)
}
