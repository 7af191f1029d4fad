package cmdutil

import (
	"crypto"
	"errors"
	"fmt"
	"io"

	"github.com/stride-pki/stride/internal/pemutil"
)

// ReadPrivateKey reads a PEM private key, reading passwordFile (or asking on
// a terminal, or failing with a message naming flag) only when the key is
// encrypted.
func ReadPrivateKey(in io.Reader, out io.Writer, path, passwordFile, flag string) (crypto.Signer, error) {
	data, err := pemutil.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var pw []byte
	if pemutil.IsEncrypted(data) {
		if pw, err = ExistingKeyPassword(in, out, passwordFile, flag, path); err != nil {
			return nil, err
		}
	}
	key, err := pemutil.ParsePrivateKey(data, pw)
	if errors.Is(err, pemutil.ErrWrongPassword) {
		return nil, fmt.Errorf("%s: the password is wrong", path)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return key, nil
}

// SamePublicKey reports whether two public keys are equal.
func SamePublicKey(a, b crypto.PublicKey) bool {
	ea, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && ea.Equal(b)
}
